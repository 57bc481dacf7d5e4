// grpc_output: alerts wait in a bounded queue until a gRPC client asks for
// them, as Falco's gRPC output did: `get` streams what is queued and ends;
// on `sub`, every request the client sends is answered with what is queued at
// that moment (clients poll by sending requests). An alert goes to the one
// client that takes it. With nobody asking, the queue fills and further
// alerts are dropped, counted.
import type * as grpc from '@grpc/grpc-js';
import { AlertQueue } from '../channels/alertQueue';
import { type Channel, ChannelStats, type OutputRecord } from '../channels/channel';
import { DropLog } from '../channels/dropLog';
import { encodeResponse } from './responseEncoder';

type Writable = grpc.ServerWritableStream<unknown, Buffer> | grpc.ServerDuplexStream<unknown, Buffer>;

// Known stall, not fixed here: Node's Http2Session stops reading its socket
// while a write of its own is pending (node_http2.cc, MaybeStopReading; see
// nodejs/node#29399). A grpc-js subscriber that polls every few ms while its
// socket is full sends each poll as its own small write; on a unix socket
// ~280 of them fill its send buffer (truesize), its write pends and it stops
// reading too: both ends wait on each other. Seen in bench:outputs with
// BENCH_GRPC_WINDOW=1048576 (2 runs in 17), never with the 64 KiB default.
/** messages a stream may hold unsent before the channel waits for 'drain' (the rest stay in the bounded queue) */
const STREAM_BUFFER = 1024;

interface MessageSender {
  sendMessage(message: Buffer, callback: (err?: Error | null) => void): void;
}

/**
 * grpc-js's server streams implement only `_write`, so a Writable hands them
 * one message, waits for HTTP/2 to have written it, then hands the next: one
 * socket write and one event-loop turn per alert. A `_writev` (Writable's own
 * extension point) passes every buffered message to the call at once; HTTP/2
 * then writes them together. Backpressure is unchanged: the Writable's buffer
 * and 'drain' work as before, and HTTP/2 flow control holds what the peer
 * has no window for.
 */
function sendBuffered(call: Writable): void {
  const inner = (call as unknown as { call?: MessageSender }).call;
  if (typeof inner?.sendMessage !== 'function') return;
  (call as unknown as { _writev: unknown })._writev = (chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void => {
    let left = chunks.length;
    let failed = false;
    const one = (err?: Error | null): void => {
      if (failed) return;
      if (err) {
        failed = true;
        return callback(err);
      }
      if (--left === 0) callback();
    };
    for (const c of chunks) inner.sendMessage(c.chunk, one);
  };
}

/**
 * Resolves when `call` can take more, or will never take any. A call the
 * client cancelled gets no 'drain': grpc-js drops writes to it without calling
 * back; it destroys the stream too ('close'), but 'cancelled' is what says so.
 */
function roomIn(call: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const events = ['drain', 'close', 'cancelled'] as const;
    const done = (): void => {
      for (const e of events) call.off(e, done);
      resolve();
    };
    if (call.cancelled || call.destroyed) return resolve();
    for (const e of events) call.on(e, done);
  });
}

export class GrpcChannel implements Channel {
  readonly name = 'grpc';
  readonly stats = new ChannelStats();
  readonly needsFields = true;
  /** alerts encoded as falco.outputs.response when taken: encoded while the record is fresh, kept as bytes off the JS heap */
  private readonly queue: AlertQueue<Buffer>;
  private readonly drops: DropLog;
  private closing = false;
  private readonly streams = new Set<Writable>();
  private emptied: (() => void) | undefined;
  private drainLoops = 0;

  constructor(
    capacity: number,
    private readonly hostname: string,
    log: (msg: string) => void,
  ) {
    this.queue = new AlertQueue<Buffer>(capacity);
    this.drops = new DropLog(this.name, this.stats, log);
  }

  get queued(): number {
    return this.queue.length;
  }

  /** clients connected to `sub` or `get` now */
  get subscribers(): number {
    return this.streams.size;
  }

  /** streams being written to now, including those waiting for room; one that ended or was cancelled is not */
  get writing(): number {
    return this.drainLoops;
  }

  send(r: OutputRecord): void {
    if (this.closing) return this.drops.drop('shutdown', 1);
    if (this.queue.length === this.queue.capacity) return this.drops.drop('queue_full', 1);
    this.queue.push(encodeResponse(r, this.hostname));
  }

  flush(): void {}

  reopen(): void {}

  /** `get`: what is queued now, then the end of the stream */
  serveGet(call: grpc.ServerWritableStream<unknown, Buffer>): void {
    sendBuffered(call);
    this.streams.add(call);
    const done = (): void => void this.streams.delete(call);
    call.on('cancelled', done);
    call.on('error', done);
    void this.drainTo(call).then(() => {
      done();
      if (!call.cancelled) call.end();
    });
  }

  /** `sub`: each request read is answered with what is queued at that moment */
  serveSub(call: grpc.ServerDuplexStream<unknown, Buffer>): void {
    sendBuffered(call);
    this.streams.add(call);
    let draining = false;
    let again = false;
    const done = (): void => void this.streams.delete(call);
    const answer = async (): Promise<void> => {
      if (draining) {
        again = true;
        return;
      }
      draining = true;
      do {
        again = false;
        await this.drainTo(call);
      } while (again && !call.cancelled && !call.destroyed);
      draining = false;
    };
    call.on('data', () => void answer());
    call.on('end', () => {
      done();
      if (!call.cancelled && !call.writableEnded) call.end();
    });
    call.on('cancelled', done);
    call.on('error', done);
  }

  /** writes queued alerts to `call` until the queue is empty, waiting when its buffer is full */
  private async drainTo(call: Writable): Promise<void> {
    this.drainLoops++;
    try {
      while (this.queue.length > 0) {
        if (call.cancelled || call.destroyed || call.writableEnded) return;
        this.stats.sent++;
        call.write(this.queue.shift()!);
        // past the Writable's own mark (16 messages) on purpose: the messages buffered go out in one _writev
        if (call.writableLength >= STREAM_BUFFER && call.writableNeedDrain) await roomIn(call);
      }
      this.emptied?.();
    } finally {
      this.drainLoops--;
    }
  }

  /** Waits (at most `timeoutMs`) for clients to take what is queued, then ends every stream. */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    if (this.queue.length > 0 && this.streams.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.emptied = () => {
          if (this.queue.length > 0) return;
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const left = this.queue.clear();
    if (left > 0) this.drops.drop('shutdown', left);
    for (const s of this.streams) if (!s.cancelled && !s.writableEnded) s.end();
    this.streams.clear();
  }
}
