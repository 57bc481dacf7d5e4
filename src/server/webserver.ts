// The embedded webserver on uWebSockets.js: receives the Kubernetes API
// server's audit webhook batches and hands each body to the audit evaluation
// (auditEvaluation.ts), on this thread or in workers alike. Bounded memory: a
// request reserves its body's bytes from a shared budget before it is read
// (byteBudget.ts) and keeps them until its events are evaluated, so a server
// that falls behind pauses reading instead of queueing bodies. Small bodies
// have a lane of their own, slow bodies are cut off (408), a request that
// waits too long is answered 503 with Retry-After, and a drain at shutdown
// answers every request it took before closing every connection.
import * as fs from 'node:fs';
import * as uWS from 'uWebSockets.js';
import type { AuditEvaluation, BatchAnswer, BatchFacts } from './auditEvaluation';
import { type ClientCertGate, privateSocketPath, startClientCertGate } from './clientCertGate';
import { ByteBudget, type Reservation } from './byteBudget';
import type { WebserverConfig } from './webserverConfig';
import { IntakeLog } from './intakeLog';
import { declaredLength, isJsonMediaType } from './requestHeaders';
import { versionsBody } from '../version';

export { WEBSERVER_DEFAULTS, type WebserverConfig } from './webserverConfig';

/** How many maximal batches may be held (read, parsed or being evaluated) at once. */
const BUDGET_BATCHES = 4;
/**
 * A body up to this size (and a sixteenth of max_batch_size) that finds the
 * budget spent draws from a lane of its own, max_batch_size bytes, so big
 * bodies trickling in cannot hold every byte and starve the small ones.
 */
export const SMALL_BODY_BYTES = 256 * 1024;
export interface IntakeLimits {
  /**
   * Longest wait for the body budget before the answer is 503 with
   * Retry-After. Under uWebSockets.js's 10 s idle timeout, which would
   * otherwise reset the paused connection with no answer at all.
   */
  budgetWaitMs: number;
  /** Slowest body taken: it must be whole within bodyGraceMs plus its length at this rate (bytes per second). */
  minBodyRate: number;
  bodyGraceMs: number;
}

export const INTAKE_LIMITS: IntakeLimits = { budgetWaitMs: 5000, minBodyRate: 1024 * 1024, bodyGraceMs: 10_000 };
/** How long the last answers of a drain get to leave before every connection is closed. */
const ANSWER_FLUSH_MS = 50;
/** Seconds a client is told to wait before retrying a 503. */
const RETRY_AFTER_S = 1;

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
  /** bodies too slow (IntakeLimits), answered 408 */
  status_408: number;
  /** requests refused with Retry-After: waited too long for the budget, or came while stopping */
  status_503: number;
  /** bytes of bodies that arrived before their budget was granted (at most one socket read each) */
  early_bytes: number;
  /** requests being read, evaluated or answered right now */
  in_flight: number;
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
  /**
   * Stops taking requests: a new request on any connection is answered 503
   * with Retry-After and Connection: close, requests already being read are
   * read, evaluated and answered (with Connection: close), then every
   * connection is closed. Settles when that is done, or after `timeoutMs`
   * with whatever is left cut off (no 2xx is sent for it). Idempotent.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Stops listening and closes every connection at once; idempotent. */
  close(): void;
}

const STATUS = {
  200: '200 OK',
  400: '400 Bad Request',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  413: '413 Payload Too Large',
  408: '408 Request Timeout',
  415: '415 Unsupported Media Type',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
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

/** What GET /metrics serves (webserver.prometheus_metrics_enabled with metrics.enabled). */
export interface MetricsEndpoint {
  text(): Promise<string>;
  readonly contentType: string;
}

/** What startWebserver may be given besides its configuration. */
export interface WebserverOptions {
  /** intake problems (budget waits, slow bodies), rate-limited */
  log?: (msg: string) => void;
  limits?: IntakeLimits;
  /** served on GET /metrics */
  metrics?: MetricsEndpoint;
}

/**
 * Serves until drained or closed. `cfg` is as checkWebserverConfig passed it.
 * Bodies go to `evaluation`, which the caller closes after this server.
 */
export function startWebserver(cfg: WebserverConfig, evaluation: AuditEvaluation, versions: { vigil: string; engine: string }, opts: WebserverOptions = {}): Webserver {
  const { log = () => {}, limits = INTAKE_LIMITS, metrics } = opts;
  const { app, gateCa } = makeApp(cfg);
  const budget = new ByteBudget(BUDGET_BATCHES * cfg.max_batch_size);
  const smallLane = new ByteBudget(cfg.max_batch_size);
  const intake = new IntakeLog(log);
  let draining = false;
  let inFlight = 0;
  let earlyBytes = 0;
  let onIdle: (() => void) | undefined;
  // requests waiting for the budget, so a drain can answer them 503 at once
  const waiters = new Set<() => void>();
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
    status_408: 0,
    status_503: 0,
    aborted: 0,
    budget_waits: 0,
  };

  /** Answers with a JSON body; call only while `res` is valid. While draining every answer closes its connection. */
  function reply(res: uWS.HttpResponse, status: Status, body: unknown, close = false, allow?: string): void {
    if (status !== 200) counts[`status_${status}`]++;
    res.cork(() => {
      res.writeStatus(STATUS[status]).writeHeader('Content-Type', 'application/json');
      if (allow) res.writeHeader('Allow', allow);
      if (status === 503) res.writeHeader('Retry-After', String(RETRY_AFTER_S));
      res.end(JSON.stringify(body), close || draining);
    });
  }

  function requestDone(): void {
    inFlight--;
    if (inFlight === 0 && onIdle) onIdle();
  }

  function onAudit(res: uWS.HttpResponse, req: uWS.HttpRequest): void {
    counts.requests++;
    const contentType = req.getHeader('content-type');
    const declaredOr = declaredLength(req);
    if (draining) return refuseWhileStopping(res, hasBody(req));
    if (!isJsonMediaType(contentType)) {
      reply(res, 415, { error: `Content-Type must be application/json, got ${JSON.stringify(contentType)}` }, hasBody(req));
      return;
    }
    if (typeof declaredOr !== 'number') {
      intake.note('refused for their length headers', `request refused: ${declaredOr.error}`);
      reply(res, 400, { error: declaredOr.error }, true);
      return;
    }
    const declared = declaredOr;
    if (declared > cfg.max_batch_size) {
      reply(res, 413, { error: `body of ${declared} bytes is over webserver.max_batch_size (${cfg.max_batch_size})` }, true);
      return;
    }
    if (declared === 0) {
      reply(res, 400, { error: 'empty body: expected an audit Event, an EventList or an array of Events' });
      return;
    }

    // per-request state; `res` is touched only while neither flag is set
    inFlight++;
    let aborted = false;
    let answered = false;
    let buf: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let received = 0;
    // chunks that came before the grant (one socket read can hold them), and a whole body that did
    let early: Buffer[] | undefined;
    let waitingBody: Buffer | undefined;
    // past the budget wait: the body is read to its end and dropped, then answered 503
    let discarding = false;
    // once the body is with the evaluation, its bytes stay
    // reserved until that work answers, even if the client has gone
    let handedOff = false;
    let waitTimer: NodeJS.Timeout | undefined;
    let bodyTimer: NodeJS.Timeout | undefined;
    const bytes = declared >= 0 ? declared : cfg.max_batch_size;
    const small = declared >= 0 && declared <= Math.min(SMALL_BODY_BYTES, cfg.max_batch_size / 16);
    const lane = small && !budget.fits(bytes) ? smallLane : budget;
    const waitedSince = performance.now();
    const reservation: Reservation = lane.reserve(bytes, () => {
      stopWaiting();
      if (aborted || answered) return;
      armBodyTimer();
      // resume even when the body is already here: the connection stays paused
      // otherwise, and its next keep-alive request is never read
      res.resume();
      if (early) {
        for (const c of early) take(c);
        earlyBytes -= early.reduce((n, c) => n + c.length, 0);
        early = undefined;
      }
      if (waitingBody === undefined) return;
      const body = waitingBody;
      waitingBody = undefined;
      handleBody(body);
    });
    res.onAborted(() => {
      aborted = true;
      counts.aborted++;
      stopWaiting();
      clearTimeout(bodyTimer);
      buf = undefined;
      chunks = undefined;
      dropEarly();
      waitingBody = undefined;
      // work handed off still finishes (and counts as in flight until then); its answer goes nowhere
      if (handedOff || answered) return;
      lane.release(reservation);
      answered = true;
      requestDone();
    });
    if (reservation.granted) armBodyTimer();
    else {
      counts.budget_waits++;
      res.pause();
      waitTimer = setTimeout(() => giveUpWaiting(`waited ${limits.budgetWaitMs} ms for the body budget`), limits.budgetWaitMs);
      waiters.add(onDrainWhileWaiting);
    }

    function onDrainWhileWaiting(): void {
      giveUpWaiting('the agent is stopping');
    }

    function stopWaiting(granted = true): void {
      clearTimeout(waitTimer);
      waiters.delete(onDrainWhileWaiting);
      const waited = performance.now() - waitedSince;
      if (granted && waited > 100) intake.note('waited for the body budget', `a request waited ${waited.toFixed(0)} ms for the body budget (${lane.bytesReserved} of ${lane.limit} bytes reserved)`);
    }

    /** No budget in time (or stopping): the body is read and dropped, then the answer is 503 with Retry-After. */
    function giveUpWaiting(why: string): void {
      stopWaiting(false);
      if (aborted || answered || reservation.granted) return;
      lane.release(reservation);
      discarding = true;
      dropEarly();
      intake.note('answered 503 (no budget in time, or stopping)', `request answered 503: ${why}`);
      armBodyTimer();
      if (waitingBody !== undefined) {
        waitingBody = undefined;
        return finish(503, { error: `server busy: ${why}; retry` }, true);
      }
      res.resume();
    }

    function dropEarly(): void {
      if (!early) return;
      earlyBytes -= early.reduce((n, c) => n + c.length, 0);
      early = undefined;
    }

    /** Times out a body not whole within bodyGraceMs plus its length at minBodyRate. */
    function armBodyTimer(): void {
      clearTimeout(bodyTimer);
      const expected = declared >= 0 ? declared : cfg.max_batch_size;
      const ms = limits.bodyGraceMs + (1000 * expected) / limits.minBodyRate;
      bodyTimer = setTimeout(() => {
        if (aborted || answered || handedOff) return;
        intake.note('bodies too slow (408)', `request body too slow: ${received} of ${declared >= 0 ? declared : 'unknown'} bytes in ${(ms / 1000).toFixed(1)} s; answered 408`);
        buf = undefined;
        chunks = undefined;
        finish(408, { error: `body too slow: ${received} bytes in ${(ms / 1000).toFixed(1)} s (at least ${limits.minBodyRate} bytes/s after ${limits.bodyGraceMs / 1000} s)` }, true);
      }, ms);
    }

    function finish(status: Status, body: unknown, close = false): void {
      clearTimeout(bodyTimer);
      lane.release(reservation);
      if (answered) return;
      answered = true;
      if (!aborted) reply(res, status, body, close);
      requestDone();
    }

    /** Copies a chunk into the body (the chunk is only valid during onData). */
    function take(chunk: Buffer): boolean {
      const n = chunk.length;
      if (declared >= 0) {
        buf ??= Buffer.allocUnsafe(declared);
        if (received + n > declared) {
          finish(400, { error: 'body longer than its Content-Length' }, true);
          return false;
        }
        chunk.copy(buf, received);
      } else {
        (chunks ??= []).push(Buffer.from(chunk));
      }
      received += n;
      return true;
    }

    res.onData((chunk, isLast) => {
      if (aborted || answered) return;
      const n = chunk.byteLength;
      if (discarding) {
        received += n;
        if (isLast) finish(503, { error: 'server busy: no budget for this body in time; retry' }, true);
        return;
      }
      if (received + n + (early ? early.reduce((m, c) => m + c.length, 0) : 0) > cfg.max_batch_size) {
        // stop reading here: answer and close rather than take in the rest
        buf = undefined;
        chunks = undefined;
        dropEarly();
        finish(413, { error: `body is over webserver.max_batch_size (${cfg.max_batch_size} bytes)` }, true);
        return;
      }
      const view = Buffer.from(chunk);
      if (!reservation.granted) {
        // arrived with the headers, before the grant: kept as a copy, counted
        const copy = Buffer.from(view);
        (early ??= []).push(copy);
        earlyBytes += copy.length;
        if (!isLast) return;
        const all = Buffer.concat(early);
        dropEarly();
        received = all.length;
        waitingBody = all;
        return;
      }
      if (!take(view)) return;
      if (!isLast) return;
      const body = declared >= 0 ? buf! : Buffer.concat(chunks ?? []);
      buf = undefined;
      chunks = undefined;
      handleBody(body);
    });

    function handleBody(body: Buffer): void {
      clearTimeout(bodyTimer);
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

  /** A request that came while stopping: its body is read and dropped, then the answer is 503 with Retry-After. */
  function refuseWhileStopping(res: uWS.HttpResponse, withBody: boolean): void {
    intake.note('answered 503 while stopping', 'request answered 503: the agent is stopping');
    let done = false;
    res.onAborted(() => {
      done = true;
    });
    const answer = (): void => {
      if (done) return;
      done = true;
      reply(res, 503, { error: 'the agent is stopping; retry' }, true);
    };
    if (!withBody) return answer();
    res.onData((_chunk, isLast) => {
      if (isLast) answer();
    });
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
      reply(res, 200, versionsBody(versions));
    })
    .any('/versions', notAllowed('GET'));
  if (metrics) {
    app
      .get('/metrics', (res) => {
        counts.requests++;
        let aborted = false;
        res.onAborted(() => {
          aborted = true;
        });
        metrics.text().then(
          (text) => {
            if (aborted) return;
            res.cork(() => res.writeStatus(STATUS[200]).writeHeader('Content-Type', metrics.contentType).end(text));
          },
          (e: unknown) => {
            if (!aborted) reply(res, 500, { error: `metrics: ${(e as Error)?.message ?? String(e)}` });
          },
        );
      })
      .any('/metrics', notAllowed('GET'));
  }
  app
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
  let listening = true;
  let closed = false;
  let drained: Promise<void> | undefined;

  function stopListening(): void {
    if (!listening) return;
    listening = false;
    uWS.us_listen_socket_close(socket);
    gate?.close();
    socketPath?.remove();
  }

  function closeAll(): void {
    if (closed) return;
    closed = true;
    stopListening();
    intake.flush();
    // every connection, idle keep-alive ones included, so nothing keeps the process up
    // (the native app has close(); this package's typings leave it out)
    (app as unknown as { close(): void }).close();
  }

  return {
    port,
    ready: gate ? gate.ready : Promise.resolve(),
    stats: () => {
      const ev = evaluation.stats();
      return {
        ...counts,
        bytes_reserved: budget.bytesReserved + smallLane.bytesReserved,
        peak_bytes_reserved: budget.peakBytesReserved + smallLane.peakBytesReserved,
        waiting_for_budget: budget.waiters + smallLane.waiters,
        pending_batches: ev.pendingBatches,
        longest_eval_turn_ms: ev.longestTurnMs,
        workers_ready: ev.readyWorkers,
        worker_crashes: ev.crashes,
        early_bytes: earlyBytes,
        in_flight: inFlight,
      };
    },
    drain(timeoutMs: number): Promise<void> {
      if (drained) return drained;
      draining = true;
      stopListening();
      for (const w of [...waiters]) w();
      drained = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          log(`webserver: ${inFlight} request(s) still in flight ${timeoutMs} ms after the stop began; closing their connections unanswered`);
          done();
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          onIdle = undefined;
          // on a later turn: the last answers are still in uWebSockets.js's buffers now, and close() would drop them
          setTimeout(() => {
            closeAll();
            resolve();
          }, ANSWER_FLUSH_MS);
        };
        if (inFlight === 0) done();
        else onIdle = done;
      });
      return drained;
    },
    close(): void {
      draining = true;
      closeAll();
    },
  };
}
