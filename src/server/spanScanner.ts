// Finds the spans of a body's events (itemSpans.ts) on a worker thread, so
// that the scan of a big body costs this thread only a copy of the text
// while it parses the same text. Small bodies are scanned here: the round
// trip would cost more than the scan. If the worker fails, scans answer
// `null` (the caller scans the text itself) and later ones run here.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { itemSpans } from './itemSpans';

/** The spans of the events (itemSpans.ts); undefined when the body is not a list; null when the scan could not be done. */
export type ScanResult = ArrayLike<number> | undefined | null;

/** Below this many characters a body is scanned on the calling thread. */
export const WORKER_MIN_CHARS = 64 * 1024;

interface Answer {
  id: number;
  spans: Float64Array | undefined;
}

/** spanWorker with this file's extension: .ts under tsx (tests, benches), .js when built. */
function defaultWorkerFile(): string {
  return path.join(__dirname, `spanWorker${path.extname(__filename)}`);
}

/**
 * A worker thread on `file`. Workers do not take over the parent's `--import
 * tsx`, so a .ts script (tests, benches) is loaded through tsx's require hook.
 */
function startWorker(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file);
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, { eval: true });
}

export class SpanScanner {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, (r: ScanResult) => void>();
  private nextId = 0;
  private failed = false;
  private closed = false;

  constructor(
    private readonly minWorkerChars = WORKER_MIN_CHARS,
    /** the worker's script; tests pass one that fails */
    private readonly workerFile = defaultWorkerFile(),
  ) {}

  /** Whether the worker failed, so that scans now run on this thread. */
  get workerFailed(): boolean {
    return this.failed;
  }

  /** Bodies sent to the worker whose answer has not come yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Calls `done` with the spans of `text`: at once for small texts, else from the worker on a later turn. */
  scan(text: string, done: (r: ScanResult) => void): void {
    if (text.length < this.minWorkerChars || this.failed || this.closed) {
      done(itemSpans(text));
      return;
    }
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    this.pending.set(id, done);
    worker.postMessage({ id, text });
  }

  /** Stops the worker; scans still in flight are dropped without an answer. */
  close(): void {
    this.closed = true;
    this.pending.clear();
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker {
    const worker = startWorker(this.workerFile);
    // the listen socket keeps the process alive while the server runs, not this thread
    worker.unref();
    worker.on('message', (a: Answer) => {
      const done = this.pending.get(a.id);
      if (!done) return;
      this.pending.delete(a.id);
      done(a.spans);
    });
    const fail = (): void => {
      if (this.closed) return;
      this.failed = true;
      this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const done of waiting) done(null);
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.worker = worker;
    return worker;
  }
}
