// http_output: each alert POSTed as its own request (Falco's JSON with
// json_output, which falcosidekick reads; else the text line), with undici.
// keep_alive reuses a few connections and pipelines POSTs on them: a delivery
// hands undici a batch of alerts, one POST each, and the requests a turn
// produces leave in one write per connection (corkingConnector.ts). Without
// keep_alive every request has its own connection, one at a time, as Falco's
// doc says of the key. Network errors, timeouts, 429 and 5xx are retried with
// backoff up to max_consecutive_timeouts times, then the alert is dropped and
// counted; any other answer outside 2xx is a drop at once.
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { type Dispatcher, Pool } from 'undici';
import { ConfigError, type ConfigTree, getBool, getNumber, getString } from '../../config';
import type { OutputRecord } from './channel';
import { CorkingConnector } from './corkingConnector';
import { PartialDelivery, type QueueOptions, QueuedChannel } from './queuedChannel';
import { tlsOptions } from './httpTls';

const KEEP_ALIVE_CONNECTIONS = 4;
/** requests sent on a connection before its first answer is back */
const KEEP_ALIVE_PIPELINING = 32;
/** alerts (one POST each) a delivery hands undici at once, and deliveries under way */
const KEEP_ALIVE_BATCH = 64;
const KEEP_ALIVE_CONCURRENCY = 4;
/** a request with no answer for this long counts as a timeout */
const REQUEST_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
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

/** What became of one POST: `error` set when it failed, `retry` when a later attempt may succeed. */
type PostOutcome = { error?: undefined } | { error: Error; retry: boolean };

/**
 * Reads one answer for undici's dispatch: its status, and its body only when
 * echo prints it; cheaper than pool.request, which makes a stream and a
 * promise for every request.
 */
class PostHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private chunks: Buffer[] | undefined;
  private done: ((outcome: PostOutcome) => void) | undefined;

  constructor(
    private readonly channel: HttpChannel,
    done: (outcome: PostOutcome) => void,
  ) {
    this.done = done;
  }

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, _h: IncomingHttpHeaders): void {
    this.status = statusCode;
    this.chunks = this.channel.echo ? [] : undefined;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks?.push(chunk);
  }

  onResponseEnd(): void {
    const s = this.status;
    if (s >= 200 && s < 300) this.finish({});
    else this.finish({ error: new Error(`${this.channel.target} answered ${s}`), retry: s === 429 || s >= 500 });
    if (this.chunks && this.chunks.length > 0) process.stdout.write(Buffer.concat(this.chunks));
  }

  onResponseError(_c: Dispatcher.DispatchController | undefined, error: Error): void {
    this.finish({ error, retry: isNetworkError(error) });
  }

  /** once only: undici reports an error thrown by a callback above as well */
  private finish(outcome: PostOutcome): void {
    const done = this.done;
    this.done = undefined;
    done?.(outcome);
  }
}

/** A POST waiting out its backoff before the next attempt. */
interface PendingRetry {
  timer: NodeJS.Timeout;
  giveUp: () => void;
}

export class HttpChannel extends QueuedChannel<Buffer> {
  readonly name = 'http';
  readonly echo: boolean;
  /** the URL posted to, for messages */
  readonly target: string;
  private readonly pool: Pool;
  private readonly connector: CorkingConnector | undefined;
  private readonly path: string;
  private readonly headers: string[];
  private readonly retries = new Set<PendingRetry>();
  private closed = false;

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
    const connect = { ...tls, servername: tls ? cfg.url.hostname : undefined, timeout: CONNECT_TIMEOUT_MS };
    this.connector = cfg.keepAlive ? new CorkingConnector(connect) : undefined;
    this.pool = new Pool(cfg.url.origin, {
      connect: this.connector?.connect ?? connect,
      connections: cfg.keepAlive ? KEEP_ALIVE_CONNECTIONS : null,
      pipelining: cfg.keepAlive ? KEEP_ALIVE_PIPELINING : 1,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
    this.concurrency = cfg.keepAlive ? KEEP_ALIVE_CONCURRENCY : 1;
    this.maxBatch = cfg.keepAlive ? KEEP_ALIVE_BATCH : 1;
    this.echo = cfg.echo;
    this.path = cfg.url.pathname + cfg.url.search;
    this.target = `${cfg.url.origin}${this.path}`;
    this.headers = ['content-type', cfg.json ? 'application/json' : 'text/plain', 'user-agent', cfg.userAgent];
    if (cfg.compress) this.headers.push('content-encoding', 'gzip');
  }

  /** only the body waits in the queue: the record and the pieces its line was built from die young */
  protected override keep(record: OutputRecord): Buffer {
    return Buffer.from(record.line);
  }

  /** POSTs every alert of the batch at once; resolves when each is answered or given up */
  protected deliver(batch: Buffer[]): Promise<number> {
    return new Promise((resolve, reject) => {
      let left = batch.length;
      let sent = 0;
      let failure: Error | undefined;
      const settle = (error?: Error): void => {
        if (error) failure = error;
        else sent++;
        if (--left > 0) return;
        if (failure) reject(new PartialDelivery(sent, failure));
        else resolve(sent);
      };
      this.connector?.corkAll();
      for (const body of batch) this.post(this.cfg.compress ? gzipSync(body) : body, 0, settle);
    });
  }

  private post(body: Buffer, attempt: number, settle: (error?: Error) => void): void {
    const handler = new PostHandler(this, (o) => {
      if (o.error === undefined) settle();
      else if (!o.retry || this.closed) settle(o.error);
      else if (attempt >= this.cfg.retries) settle(new Error(`${o.error.message} (gave up after ${attempt + 1} attempt(s))`));
      else this.retryLater(body, attempt + 1, settle, o.error);
    });
    // POSTs are pipelined (idempotent, not blocking): an alert sent twice after a broken connection beats one lost
    this.pool.dispatch({ path: this.path, method: 'POST', headers: this.headers, body, reset: !this.cfg.keepAlive, idempotent: this.cfg.keepAlive, blocking: !this.cfg.keepAlive }, handler);
  }

  private retryLater(body: Buffer, attempt: number, settle: (error?: Error) => void, error: Error): void {
    const pending: PendingRetry = {
      timer: setTimeout(
        () => {
          this.retries.delete(pending);
          this.post(body, attempt, settle);
        },
        Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempt - 1)),
      ),
      giveUp: () => settle(error),
    };
    this.retries.add(pending);
  }

  protected async shutdown(): Promise<void> {
    this.closed = true;
    for (const r of this.retries) {
      clearTimeout(r.timer);
      r.giveUp();
    }
    this.retries.clear();
    await this.pool.destroy();
  }
}

const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** failures a later attempt may not meet (a certificate that does not verify is not one) */
function isNetworkError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return typeof code === 'string' && (code.startsWith('UND_ERR') || TRANSIENT.has(code));
}
