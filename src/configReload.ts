// Which configuration changes a reload can put in place while the agent runs,
// and which need a restart. The rules and everything about them, the alert
// format and the alert channels change in place; the webserver (its port,
// TLS, threads), the gRPC server, metrics, the probe's drop handling, the
// container runtimes and rule captures were set up at start and stay as they
// are until a restart, which the reload says.
import type { ConfigTree } from './config';

/** top-level keys whose sections were set up at start */
export const RESTART_KEYS: readonly string[] = ['webserver', 'grpc', 'grpc_output', 'metrics', 'syscall_event_drops', 'container_engines', 'capture'];

/** the keys the alert outputs are built from: a change rebuilds the outputs */
export const OUTPUT_KEYS: readonly string[] = [
  'stdout_output',
  'file_output',
  'syslog_output',
  'program_output',
  'http_output',
  'outputs_queue',
  'output_timeout',
  'json_output',
  'json_include_output_property',
  'json_include_tags_property',
  'json_include_message_property',
  'json_include_output_fields_property',
  'time_format_iso_8601',
];

export interface ConfigChange {
  /** the new configuration with the restart-only sections as they run now */
  effective: ConfigTree;
  /** restart-only sections that differ (the running ones stay) */
  needRestart: string[];
  /** whether the outputs must be rebuilt */
  outputsChanged: boolean;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function configChange(running: ConfigTree, next: ConfigTree): ConfigChange {
  const effective: ConfigTree = { ...next };
  const needRestart: string[] = [];
  for (const k of RESTART_KEYS) {
    if (same(running[k], next[k])) continue;
    needRestart.push(k);
    if (running[k] === undefined) delete effective[k];
    else effective[k] = running[k];
  }
  return { effective, needRestart, outputsChanged: OUTPUT_KEYS.some((k) => !same(running[k], next[k])) };
}
