// The `metrics` section (Falco's keys) and its interval, a Prometheus-style
// duration ("30s", "15m", "1h", "100ms"; at least 100 ms, as Falco enforces).
import { ConfigError, type ConfigTree, getBool, getString } from '../config';

export interface MetricsConfig {
  enabled: boolean;
  intervalMs: number;
  outputRule: boolean;
  outputFile: string;
  includeEmptyValues: boolean;
  resourceUtilization: boolean;
  stateCounters: boolean;
  kernelEventCounters: boolean;
  rulesCounters: boolean;
  /** webserver.prometheus_metrics_enabled (with metrics.enabled): GET /metrics */
  prometheus: boolean;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** "1h30m" -> ms; undefined when the text is not a duration */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  let total = 0;
  let rest = t;
  // units in Prometheus's order, each at most once
  const re = /^(\d+)(ms|y|w|d|h|m|s)/;
  while (rest.length > 0) {
    const m = re.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}

export function metricsConfig(config: ConfigTree): MetricsConfig {
  const intervalText = getString(config, 'metrics.interval', '1h');
  const intervalMs = parseDuration(intervalText);
  if (intervalMs === undefined) throw new ConfigError(`metrics.interval: '${intervalText}' is not a duration (a number and a unit: ms, s, m, h, d, w, y, e.g. 15m)`);
  if (intervalMs < 100) throw new ConfigError(`metrics.interval: ${intervalText} is below the minimum of 100ms`);
  const enabled = getBool(config, 'metrics.enabled', false);
  return {
    enabled,
    intervalMs,
    outputRule: getBool(config, 'metrics.output_rule', true),
    outputFile: getString(config, 'metrics.output_file', ''),
    includeEmptyValues: getBool(config, 'metrics.include_empty_values', false),
    resourceUtilization: getBool(config, 'metrics.resource_utilization_enabled', true),
    stateCounters: getBool(config, 'metrics.state_counters_enabled', true),
    kernelEventCounters: getBool(config, 'metrics.kernel_event_counters_enabled', true),
    rulesCounters: getBool(config, 'metrics.rules_counters_enabled', true),
    prometheus: enabled && getBool(config, 'webserver.prometheus_metrics_enabled', false),
  };
}
