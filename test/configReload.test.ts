import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverride, builtinDefaults } from '../src/config';
import { configChange } from '../src/configReload';

test('a reload keeps the sections set up at start, names them, and says whether the outputs change', () => {
  const running = builtinDefaults();
  const next = ['webserver.listen_port=9000', 'metrics.enabled=true', 'json_output=true', 'priority=error'].reduce(applyOverride, builtinDefaults());
  const c = configChange(running, next);
  assert.deepEqual(c.needRestart, ['webserver', 'metrics']);
  assert.deepEqual(c.effective.webserver, running.webserver);
  assert.deepEqual(c.effective.metrics, running.metrics);
  assert.equal(c.effective.json_output, true);
  assert.equal(c.effective.priority, 'error');
  assert.equal(c.outputsChanged, true);
  const rulesOnly = configChange(running, applyOverride(builtinDefaults(), 'rules_files=[x.yaml]'));
  assert.deepEqual(rulesOnly.needRestart, []);
  assert.equal(rulesOnly.outputsChanged, false);
});
