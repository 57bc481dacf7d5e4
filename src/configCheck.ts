// Every setting the live agent reads, read and checked without starting
// anything: what --dry-run reports and what a reload checks before it changes
// anything. Each section's reader is the one the running part uses.
import { ConfigError, type ConfigTree, get, getString } from './config';
import { metricsConfig } from './metrics/metricsConfig';
import { grpcServerConfig } from './outputs/grpc/grpcServerConfig';
import { formatOptionsFrom, queueOptionsFrom, readChannelSettings } from './outputs/outputs';
import { checkWebserverConfig, WEBSERVER_DEFAULTS, type WebserverConfig } from './server/webserverConfig';
import { readEnginesConfig } from './sources/syscall/containers/engineConfig';
import { captureConfig } from './sources/syscall/scap/ruleCapture';
import { syscallEventDropsConfig } from './sources/syscall/syscallEventDrops';
import { logSettings } from './log';
import { readStaticFields } from './staticFieldsConfig';
import { readAppendOutput } from './appendOutput';

export function ruleMatching(config: ConfigTree): 'first' | 'all' {
  const matching = getString(config, 'rule_matching', 'first');
  if (matching !== 'first' && matching !== 'all') throw new ConfigError(`rule_matching: expected first or all, got '${matching}'`);
  return matching;
}

const CHECKS: readonly ((config: ConfigTree) => unknown)[] = [
  ruleMatching,
  formatOptionsFrom,
  (c) => queueOptionsFrom(c, () => undefined),
  readChannelSettings,
  grpcServerConfig,
  metricsConfig,
  syscallEventDropsConfig,
  (c) => checkWebserverConfig({ ...WEBSERVER_DEFAULTS, ...get<Partial<WebserverConfig>>(c, 'webserver', {}) }),
  readEnginesConfig,
  captureConfig,
  logSettings,
  readStaticFields,
  (c) => readAppendOutput(c, undefined, () => undefined),
];

/** The problems of every section, one message each (empty: all good). */
export function checkSettings(config: ConfigTree): string[] {
  const out: string[] = [];
  for (const check of CHECKS) {
    try {
      check(config);
    } catch (e) {
      out.push((e as Error).message);
    }
  }
  return out;
}
