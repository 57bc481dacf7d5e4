// The configuration keys Vigil reads, as a tree, so that a key it does not
// know (a typo, or a falco.yaml setting Vigil has no use for) is reported with
// its path instead of being silently ignored.
import type { ConfigTree } from './config';

/** true: a leaf (any value); a tree: its known keys; 'list': a sequence of items checked by their reader */
export type Known = true | 'list' | { readonly [key: string]: Known };

export const KNOWN: Known = {
  config_files: 'list',
  watch_config_files: true,
  log_level: true,
  log_stderr: true,
  log_syslog: true,
  rules_files: true,
  rules_file: true,
  rules: 'list',
  priority: true,
  rule_matching: true,
  json_output: true,
  json_include_output_property: true,
  json_include_tags_property: true,
  json_include_message_property: true,
  json_include_output_fields_property: true,
  time_format_iso_8601: true,
  append_output: 'list',
  // its reader takes any name (each becomes a field static.<name>)
  static_fields: true,
  stdout_output: { enabled: true },
  file_output: { enabled: true, keep_alive: true, filename: true },
  syslog_output: { enabled: true, socket: true },
  program_output: { enabled: true, keep_alive: true, program: true },
  http_output: {
    enabled: true,
    url: true,
    user_agent: true,
    insecure: true,
    ca_cert: true,
    ca_bundle: true,
    ca_path: true,
    mtls: true,
    client_cert: true,
    client_key: true,
    echo: true,
    compress_uploads: true,
    keep_alive: true,
    max_consecutive_timeouts: true,
  },
  grpc_output: { enabled: true },
  grpc: { enabled: true, bind_address: true, threadiness: true, private_key: true, cert_chain: true, root_certs: true },
  outputs_queue: { capacity: true },
  output_timeout: true,
  syscall_event_drops: { threshold: true, actions: true, rate: true, max_burst: true },
  metrics: {
    enabled: true,
    interval: true,
    output_rule: true,
    output_file: true,
    rules_counters_enabled: true,
    resource_utilization_enabled: true,
    state_counters_enabled: true,
    kernel_event_counters_enabled: true,
    include_empty_values: true,
  },
  capture: { enabled: true, path_prefix: true, mode: true, default_duration: true },
  // its reader refuses a key it does not know, naming it (containers/engineConfig.ts)
  container_engines: true,
  webserver: {
    enabled: true,
    listen_address: true,
    listen_port: true,
    k8s_audit_endpoint: true,
    k8s_healthz_endpoint: true,
    ssl_enabled: true,
    ssl_certificate: true,
    ssl_ca: true,
    ssl_verify_client: true,
    max_event_size: true,
    max_batch_size: true,
    threadiness: true,
    prometheus_metrics_enabled: true,
  },
};

/** Dotted paths of the keys in `config` that Vigil does not read, in file order. */
export function unknownConfigKeys(config: ConfigTree): string[] {
  const out: string[] = [];
  const walk = (node: unknown, known: Known, prefix: string): void => {
    if (known === true || known === 'list') return;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      const sub = known[k];
      if (sub === undefined) out.push(path);
      else walk(v, sub, path);
    }
  };
  walk(config, KNOWN, '');
  return out;
}
