// http_output: each alert POSTed as its own request (Falco's JSON with
// json_output, which falcosidekick reads; else the text line), with undici.
// keep_alive reuses connections and lets several requests run at once; without
// it every request has its own connection, as Falco's doc says of the key.
// Network errors, timeouts, 429 and 5xx are retried with backoff up to
// max_consecutive_timeouts times, then the alert is dropped and counted.
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { ConfigError, type ConfigTree, getBool, getNumber, getString } from '../../config';
import type { OutputRecord } from './channel';
import { type QueueOptions, QueuedChannel } from './queuedChannel';
import { tlsOptions } from './httpTls';

/** deliveries under way at once with keep_alive */
const KEEP_ALIVE_CONCURRENCY = 16;
const KEEP_ALIVE_CONNECTIONS = 4;
/** a request with no answer for this long counts as a timeout */
const REQUEST_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 50;
const BACKOFF_MAX_MS = 2_000;

export interface HttpOutputConfig {
  url: URL;
  userAgent: string;
  json: boolean;
  echo: boolean;
  compress: boolean;
  keepAlive: boolean;
  retries: number;
}

export function httpOutputConfig(config: ConfigTree): HttpOutputConfig {
  let raw = getString(config, 'http_output.url', '').trim();
  // Falco accepts the URL quoted inside the YAML string
  if (raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.at(-1) === raw[0]) raw = raw.slice(1, -1);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`http_output.url: ${raw === '' ? 'empty' : `'${raw}' is not a URL`} (http_output is enabled)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`http_output.url: '${raw}' is not http:// or https://`);
  return {
    url,
    userAgent: getString(config, 'http_output.user_agent', 'falcosecurity/falco'),
    json: getBool(config, 'json_output', false),
    echo: getBool(config, 'http_output.echo', false),
    compress: getBool(config, 'http_output.compress_uploads', false),
    keepAlive: getBool(config, 'http_output.keep_alive', false),
    retries: getNumber(config, 'http_output.max_consecutive_timeouts', 5, 0, 255, true),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

class RetryableError extends Error {}

export class HttpChannel extends QueuedChannel {
  readonly name = 'http';
  private readonly pool: Pool;
  private readonly path: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly cfg: HttpOutputConfig,
    config: ConfigTree,
    queue: QueueOptions,
  ) {
    super(queue);
    const tls =
      cfg.url.protocol === 'https:'
        ? tlsOptions({
            insecure: getBool(config, 'http_output.insecure', false),
            ca_cert: getString(config, 'http_output.ca_cert', ''),
            ca_bundle: getString(config, 'http_output.ca_bundle', ''),
            ca_path: getString(config, 'http_output.ca_path', '/etc/ssl/certs'),
            mtls: getBool(config, 'http_output.mtls', false),
            client_cert: getString(config, 'http_output.client_cert', '/etc/ssl/certs/client.crt'),
            client_key: getString(config, 'http_output.client_key', '/etc/ssl/certs/client.key'),
          })
        : undefined;
    this.pool = new Pool(cfg.url.origin, {
      connect: tls ? { ...tls, servername: cfg.url.hostname } : undefined,
      connections: cfg.keepAlive ? KEEP_ALIVE_CONNECTIONS : null,
      pipelining: 1,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    this.concurrency = cfg.keepAlive ? KEEP_ALIVE_CONCURRENCY : 1;
    this.path = cfg.url.pathname + cfg.url.search;
    this.headers = {
      'content-type': cfg.json ? 'application/json' : 'text/plain',
      'user-agent': cfg.userAgent,
    };
    if (cfg.compress) this.headers['content-encoding'] = 'gzip';
  }

  protected async deliver(batch: OutputRecord[]): Promise<void> {
    const body = this.cfg.compress ? gzipSync(batch[0].line) : batch[0].line;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.post(body);
        return;
      } catch (e) {
        if (!(e instanceof RetryableError) && !isNetworkError(e)) throw e;
        if (attempt >= this.cfg.retries) throw new Error(`${(e as Error).message} (gave up after ${attempt + 1} attempt(s))`);
        await sleep(Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt));
      }
    }
  }

  private async post(body: string | Buffer): Promise<void> {
    const res = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: this.headers,
      body,
      reset: !this.cfg.keepAlive,
    });
    if (this.cfg.echo) process.stdout.write(await res.body.text());
    else await res.body.dump();
    const s = res.statusCode;
    if (s >= 200 && s < 300) return;
    const what = `${this.cfg.url.origin}${this.path} answered ${s}`;
    if (s === 429 || s >= 500) throw new RetryableError(what);
    throw new Error(what);
  }

  protected async shutdown(): Promise<void> {
    await this.pool.destroy();
  }
}

const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** failures a later attempt may not meet (a certificate that does not verify is not one) */
function isNetworkError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return typeof code === 'string' && (code.startsWith('UND_ERR') || TRANSIENT.has(code));
}
