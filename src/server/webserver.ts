// The embedded webserver on uWebSockets.js: receives the Kubernetes API
// server's audit webhook batches and hands each body to the audit evaluation
// (auditEvaluation.ts), on this thread or in workers alike. Bounded memory: a
// request reserves its body's bytes from a shared budget before it is read
// (byteBudget.ts) and keeps them until its events are evaluated, so a server
// that falls behind pauses reading instead of queueing bodies.
import * as fs from 'node:fs';
import * as uWS from 'uWebSockets.js';
import type { AuditEvaluation, BatchAnswer, BatchFacts } from './auditEvaluation';
import { type ClientCertGate, privateSocketPath, startClientCertGate } from './clientCertGate';
import { ByteBudget, type Reservation } from './byteBudget';
import type { WebserverConfig } from './webserverConfig';

export { WEBSERVER_DEFAULTS, type WebserverConfig } from './webserverConfig';

/** How many maximal batches may be held (read, parsed or being evaluated) at once. */
const BUDGET_BATCHES = 4;

export interface WebserverStats {
  requests: number;
  /** batches whose events went to the sink */
  batches: number;
  events_accepted: number;
  /** elements of a batch that are not audit events */
  events_rejected: number;
  /** events over max_event_size */
  events_dropped_oversize: number;
  /** events whose evaluation threw */
  events_failed: number;
  status_400: number;
  status_404: number;
  status_405: number;
  status_413: number;
  status_415: number;
  /** clients that went away before their answer */
  aborted: number;
  /** body bytes reserved right now, and the most ever reserved at once */
  bytes_reserved: number;
  peak_bytes_reserved: number;
  /** requests paused until the byte budget frees up */
  waiting_for_budget: number;
  /** times a request had to wait for the budget */
  budget_waits: number;
  /** batches waiting for or under evaluation */
  pending_batches: number;
  /** longest evaluation time spent in one event-loop turn on this thread, ms */
  longest_eval_turn_ms: number;
  /** evaluation workers taking batches (0: evaluation runs on this thread) */
  workers_ready: number;
  /** times an evaluation worker died */
  worker_crashes: number;
  /** batches answered 500 because their worker died or none was running */
  status_500: number;
}

export interface Webserver {
  /** the port it listens on (the real one when listen_port is 0) */
  port: number;
  /**
   * Settles once the port accepts connections: at once, except with
   * ssl_verify_client, where Node's TLS listener starts on the next turn.
   */
  ready: Promise<void>;
  stats(): WebserverStats;
  /** Stops listening; idempotent. */
  close(): void;
}

const STATUS = {
  200: '200 OK',
  400: '400 Bad Request',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  500: '500 Internal Server Error',
} as const;
type Status = keyof typeof STATUS;

/** The audit paths to answer: the configured one, and both spellings of the default. */
function auditPaths(endpoint: string): string[] {
  if (endpoint === '/k8s-audit' || endpoint === '/k8s_audit') return ['/k8s-audit', '/k8s_audit'];
  return [endpoint];
}

function readPem(key: 'ssl_certificate' | 'ssl_ca', file: string, mustHold: string[]): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`webserver.${key}: cannot read ${file}: ${(e as Error).message}`);
  }
  for (const what of mustHold) {
    if (!new RegExp(`-----BEGIN [A-Z ]*${what}-----`).test(text)) throw new Error(`webserver.${key}: ${file} holds no PEM ${what}`);
  }
}

/** The app, and with ssl_verify_client the CA that the TLS gate in front of it checks. */
function makeApp(cfg: WebserverConfig): { app: uWS.TemplatedApp; gateCa?: string } {
  if (!cfg.ssl_enabled) return { app: uWS.App() };
  readPem('ssl_certificate', cfg.ssl_certificate, ['PRIVATE KEY', 'CERTIFICATE']);
  if (cfg.ssl_verify_client) readPem('ssl_ca', cfg.ssl_ca, ['CERTIFICATE']);
  try {
    // construct even when the gate terminates TLS: uSockets checks that key and certificate match
    const app = uWS.SSLApp({ key_file_name: cfg.ssl_certificate, cert_file_name: cfg.ssl_certificate });
    return cfg.ssl_verify_client ? { app: uWS.App(), gateCa: cfg.ssl_ca } : { app };
  } catch (e) {
    throw new Error(`webserver: TLS setup failed with ssl_certificate=${cfg.ssl_certificate} (${(e as Error).message}: is the key the certificate's, and unencrypted?)`);
  }
}

/** Whether the request says it carries a body we would have to read. */
function hasBody(req: uWS.HttpRequest): boolean {
  const len = req.getHeader('content-length');
  return (len !== '' && len !== '0') || req.getHeader('transfer-encoding') !== '';
}

/** The response body for a batch that was evaluated. */
function batchBody(f: BatchFacts): Record<string, unknown> {
  const body: Record<string, unknown> = { accepted: f.accepted, rejected: f.rejected, dropped_oversize: f.dropped };
  if (f.reasons.length > 0) body.reasons = f.reasons;
  if (f.failed > 0) body.failed = f.failed;
  if (f.firstError !== undefined) body.first_error = f.firstError;
  return body;
}

/**
 * Serves until closed. `cfg` is as checkWebserverConfig passed it. Bodies go
 * to `evaluation`, which the caller closes after this server.
 */
export function startWebserver(cfg: WebserverConfig, evaluation: AuditEvaluation, versions: { vigil: string; engine: string }): Webserver {
  const { app, gateCa } = makeApp(cfg);
  const budget = new ByteBudget(BUDGET_BATCHES * cfg.max_batch_size);
  const counts = {
    requests: 0,
    batches: 0,
    events_accepted: 0,
    events_rejected: 0,
    events_dropped_oversize: 0,
    events_failed: 0,
    status_400: 0,
    status_404: 0,
    status_405: 0,
    status_413: 0,
    status_415: 0,
    status_500: 0,
    aborted: 0,
    budget_waits: 0,
  };

  /** Answers with a JSON body; call only while `res` is valid. */
  function reply(res: uWS.HttpResponse, status: Status, body: unknown, close = false, allow?: string): void {
    if (status !== 200) counts[`status_${status}`]++;
    res.cork(() => {
      res.writeStatus(STATUS[status]).writeHeader('Content-Type', 'application/json');
      if (allow) res.writeHeader('Allow', allow);
      res.end(JSON.stringify(body), close);
    });
  }

  function onAudit(res: uWS.HttpResponse, req: uWS.HttpRequest): void {
    counts.requests++;
    const contentType = req.getHeader('content-type');
    if (!contentType.toLowerCase().includes('application/json')) {
      reply(res, 415, { error: `Content-Type must be application/json, got ${JSON.stringify(contentType)}` }, hasBody(req));
      return;
    }
    const lengthHeader = req.getHeader('content-length');
    const declared = lengthHeader === '' ? -1 : /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : NaN;
    if (Number.isNaN(declared)) {
      reply(res, 400, { error: `bad Content-Length ${JSON.stringify(lengthHeader)}` }, true);
      return;
    }
    if (declared > cfg.max_batch_size) {
      reply(res, 413, { error: `body of ${declared} bytes is over webserver.max_batch_size (${cfg.max_batch_size})` }, true);
      return;
    }
    if (declared === 0) {
      reply(res, 400, { error: 'empty body: expected an audit Event, an EventList or an array of Events' });
      return;
    }

    // per-request state; `res` is touched only while neither flag is set
    let aborted = false;
    let answered = false;
    let buf: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let received = 0;
    // a body that arrived whole before its grant (one packet can hold it) waits here
    let waitingBody: Buffer | undefined;
    // once the body is with the evaluation, its bytes stay reserved until it
    // answers, even if the client has gone
    let handedOff = false;
    const reservation: Reservation = budget.reserve(declared >= 0 ? declared : cfg.max_batch_size, () => {
      if (aborted || answered) return;
      // resume even when the body is already here: the connection stays paused
      // otherwise, and its next keep-alive request is never read
      res.resume();
      if (waitingBody === undefined) return;
      const body = waitingBody;
      waitingBody = undefined;
      handleBody(body);
    });
    res.onAborted(() => {
      aborted = true;
      counts.aborted++;
      buf = undefined;
      chunks = undefined;
      waitingBody = undefined;
      if (!handedOff) budget.release(reservation);
    });
    if (!reservation.granted) {
      counts.budget_waits++;
      res.pause();
    }

    function finish(status: Status, body: unknown, close = false): void {
      budget.release(reservation);
      if (aborted || answered) return;
      answered = true;
      reply(res, status, body, close);
    }

    res.onData((chunk, isLast) => {
      if (aborted || answered) return;
      const n = chunk.byteLength;
      if (received + n > cfg.max_batch_size) {
        // stop reading here: answer and close rather than take in the rest
        buf = undefined;
        chunks = undefined;
        finish(413, { error: `body is over webserver.max_batch_size (${cfg.max_batch_size} bytes)` }, true);
        return;
      }
      // the chunk is only valid during this call: copy it
      if (declared >= 0) {
        buf ??= Buffer.allocUnsafe(declared);
        if (received + n > declared) return finish(400, { error: 'body longer than its Content-Length' }, true);
        buf.set(new Uint8Array(chunk), received);
      } else {
        (chunks ??= []).push(Buffer.from(new Uint8Array(chunk)));
      }
      received += n;
      if (!isLast) return;
      const body = declared >= 0 ? buf! : Buffer.concat(chunks ?? []);
      buf = undefined;
      chunks = undefined;
      if (reservation.granted) handleBody(body);
      else waitingBody = body;
    });

    function handleBody(body: Buffer): void {
      handedOff = true;
      evaluation.submit(body, received, cfg.max_event_size, onAnswer);
    }

    function onAnswer(a: BatchAnswer): void {
      if (a.status !== 200) return finish(a.status, { error: a.error });
      const f = a.facts;
      counts.events_rejected += f.rejected;
      counts.events_dropped_oversize += f.dropped;
      if (f.events === 0 && f.rejected > 0) return finish(400, { error: f.reasons[0], rejected: f.rejected, reasons: f.reasons });
      counts.batches++;
      counts.events_accepted += f.accepted;
      counts.events_failed += f.failed;
      finish(200, batchBody(f));
    }
  }

  function notAllowed(allow: string) {
    return (res: uWS.HttpResponse, req: uWS.HttpRequest): void => {
      counts.requests++;
      reply(res, 405, { error: `method ${req.getCaseSensitiveMethod()} not allowed on ${req.getUrl()}; use ${allow}` }, hasBody(req), allow);
    };
  }

  for (const path of auditPaths(cfg.k8s_audit_endpoint)) app.post(path, onAudit).any(path, notAllowed('POST'));
  app
    .get(cfg.k8s_healthz_endpoint, (res) => {
      counts.requests++;
      reply(res, 200, { status: 'ok' });
    })
    .any(cfg.k8s_healthz_endpoint, notAllowed('GET'))
    .get('/versions', (res) => {
      counts.requests++;
      reply(res, 200, { vigil_version: versions.vigil, engine_version: versions.engine });
    })
    .any('/versions', notAllowed('GET'))
    .any('/*', (res, req) => {
      counts.requests++;
      reply(res, 404, { error: `no such endpoint: ${req.getUrl()}` }, hasBody(req));
    });

  let listenSocket: uWS.us_listen_socket | false = false;
  let gate: ClientCertGate | undefined;
  let socketPath: { file: string; remove(): void } | undefined;
  let port: number;
  if (gateCa === undefined) {
    app.listen(cfg.listen_address, cfg.listen_port, (s) => {
      listenSocket = s;
    });
    if (!listenSocket) throw new Error(`webserver: cannot listen on ${cfg.listen_address}:${cfg.listen_port} (port in use, or not an address of this host?)`);
    port = uWS.us_socket_local_port(listenSocket);
  } else {
    socketPath = privateSocketPath();
    app.listen_unix((s) => {
      listenSocket = s;
    }, socketPath.file);
    if (!listenSocket) {
      socketPath.remove();
      throw new Error(`webserver: cannot listen on the unix socket ${socketPath.file}`);
    }
    try {
      gate = startClientCertGate(cfg.listen_address, cfg.listen_port, cfg.ssl_certificate, gateCa, socketPath.file);
    } catch (e) {
      uWS.us_listen_socket_close(listenSocket);
      socketPath.remove();
      throw e;
    }
    port = gate.port;
  }
  const socket: uWS.us_listen_socket = listenSocket;
  let closed = false;

  return {
    port,
    ready: gate ? gate.ready : Promise.resolve(),
    stats: () => {
      const ev = evaluation.stats();
      return {
        ...counts,
        bytes_reserved: budget.bytesReserved,
        peak_bytes_reserved: budget.peakBytesReserved,
        waiting_for_budget: budget.waiters,
        pending_batches: ev.pendingBatches,
        longest_eval_turn_ms: ev.longestTurnMs,
        workers_ready: ev.readyWorkers,
        worker_crashes: ev.crashes,
      };
    },
    close(): void {
      if (closed) return;
      closed = true;
      uWS.us_listen_socket_close(socket);
      gate?.close();
      socketPath?.remove();
    },
  };
}
