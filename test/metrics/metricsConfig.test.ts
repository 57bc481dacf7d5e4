import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverride, builtinDefaults, ConfigError } from '../../src/config';
import { metricsConfig, parseDuration } from '../../src/metrics/metricsConfig';

test('parseDuration reads Prometheus durations', () => {
  assert.equal(parseDuration('100ms'), 100);
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.equal(parseDuration('1w'), 604_800_000);
  assert.equal(parseDuration('10'), undefined);
  assert.equal(parseDuration('m'), undefined);
  assert.equal(parseDuration('1.5h'), undefined);
  assert.equal(parseDuration(''), undefined);
});

test('metrics.interval must be a duration of at least 100ms; /metrics needs both keys', () => {
  const c = (...o: string[]) => o.reduce((acc, x) => applyOverride(acc, x), builtinDefaults());
  assert.throws(() => metricsConfig(c('metrics.interval=soon')), (e: unknown) => e instanceof ConfigError && /metrics\.interval: 'soon' is not a duration/.test(e.message));
  assert.throws(() => metricsConfig(c('metrics.interval=50ms')), /below the minimum of 100ms/);
  assert.equal(metricsConfig(c()).intervalMs, 3_600_000);
  assert.equal(metricsConfig(c('webserver.prometheus_metrics_enabled=true')).prometheus, false);
  assert.equal(metricsConfig(c('metrics.enabled=true')).prometheus, false);
  assert.equal(metricsConfig(c('metrics.enabled=true', 'webserver.prometheus_metrics_enabled=true')).prometheus, true);
});
