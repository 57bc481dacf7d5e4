// The `webserver` section of the configuration: defaults (Falco's names and
// values) and the checks that turn a bad value into an error naming the key.

export interface WebserverConfig {
  enabled: boolean;
  listen_address: string;
  listen_port: number;
  k8s_audit_endpoint: string;
  k8s_healthz_endpoint: string;
  ssl_enabled: boolean;
  /** one PEM file holding the private key and the certificate */
  ssl_certificate: string;
  /** CA bundle that client certificates must chain to (mutual TLS) */
  ssl_ca: string;
  ssl_verify_client: boolean;
  /**
   * bytes; a larger event is not evaluated but raises the built-in alert
   * 'Vigil internal: audit event dropped' naming its user, verb and object
   * (droppedEventAlert.ts), and the rest of its batch goes on. Defaults to
   * max_batch_size's default: any event that fits a batch is evaluated.
   */
  max_event_size: number;
  /** bytes; a larger body is answered 413 without being read */
  max_batch_size: number;
  /**
   * evaluation worker threads: 0 = one per online CPU, at most 4; n > 0 = n;
   * -1 = none, evaluate on the server's own thread
   */
  threadiness: number;
}

export const WEBSERVER_DEFAULTS: WebserverConfig = {
  enabled: true,
  listen_address: '0.0.0.0',
  listen_port: 8765,
  k8s_audit_endpoint: '/k8s-audit',
  k8s_healthz_endpoint: '/healthz',
  ssl_enabled: false,
  ssl_certificate: '/etc/vigil/vigil.pem',
  ssl_ca: '',
  ssl_verify_client: false,
  max_event_size: 12 * 1024 * 1024,
  max_batch_size: 12 * 1024 * 1024,
  threadiness: 0,
};

function fail(key: keyof WebserverConfig, want: string, got: unknown): never {
  throw new Error(`webserver.${key} must be ${want}, got ${JSON.stringify(got)}`);
}

/** the most evaluation worker threads webserver.threadiness may ask for */
export const MAX_THREADINESS = 64;

/** Throws an Error naming the first bad key. */
export function checkWebserverConfig(cfg: WebserverConfig): void {
  for (const key of ['enabled', 'ssl_enabled', 'ssl_verify_client'] as const) {
    if (typeof cfg[key] !== 'boolean') fail(key, 'true or false', cfg[key]);
  }
  for (const key of ['listen_address', 'ssl_certificate', 'ssl_ca'] as const) {
    if (typeof cfg[key] !== 'string') fail(key, 'a string', cfg[key]);
  }
  if (cfg.listen_address === '') fail('listen_address', 'an address', cfg.listen_address);
  for (const key of ['k8s_audit_endpoint', 'k8s_healthz_endpoint'] as const) {
    const v = cfg[key];
    if (typeof v !== 'string' || !v.startsWith('/') || /[\s?#*:]/.test(v)) fail(key, 'a path starting with / (no spaces, ?, #, *, :)', v);
  }
  if (cfg.k8s_audit_endpoint === cfg.k8s_healthz_endpoint) fail('k8s_healthz_endpoint', 'different from webserver.k8s_audit_endpoint', cfg.k8s_healthz_endpoint);
  const port = cfg.listen_port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('listen_port', 'an integer from 0 to 65535', port);
  for (const key of ['max_event_size', 'max_batch_size'] as const) {
    const v = cfg[key];
    if (!Number.isSafeInteger(v) || v <= 0) fail(key, 'a positive integer (bytes)', v);
  }
  // each worker holds its own engine (tens of MB): a typo like 10000 must not exhaust memory
  if (!Number.isSafeInteger(cfg.threadiness) || cfg.threadiness < -1 || cfg.threadiness > MAX_THREADINESS) {
    fail('threadiness', `an integer: 0 (one thread per CPU, at most 4), a thread count up to ${MAX_THREADINESS}, or -1 (no worker threads)`, cfg.threadiness);
  }
  // a body is decoded to one string, and V8 caps strings near 512 Mi characters
  if (cfg.max_batch_size > 256 * 1024 * 1024) fail('max_batch_size', 'at most 268435456 (256 MiB)', cfg.max_batch_size);
  if (cfg.ssl_enabled && cfg.ssl_certificate === '') fail('ssl_certificate', 'a PEM file when webserver.ssl_enabled is true', cfg.ssl_certificate);
  if (cfg.ssl_verify_client && cfg.ssl_ca === '') fail('ssl_ca', 'a CA file when webserver.ssl_verify_client is true', cfg.ssl_ca);
}
