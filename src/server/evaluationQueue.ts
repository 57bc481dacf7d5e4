// Feeds accepted events to the sink with bounded work per event-loop turn, so
// a burst of audit batches cannot starve the syscall source (or the server's
// own sockets) that share the thread. A batch that fits in what is left of
// the current turn's budget runs at once; the rest wait in one FIFO that is
// drained a slice per turn from setImmediate, after I/O has had its go.
// Work that cannot be cut (decoding a body) goes through the same FIFO as a
// task: it runs whole, but only while the turn has budget left, so bodies
// that arrive together are decoded in different turns.

import type { AlertData } from '../evaluation/ruleAlert';

export interface AuditSink {
  accept(event: Record<string, unknown>): void;
  /** a built-in alert the server raises itself (droppedEventAlert.ts) */
  alert?(data: AlertData): void;
}

export interface EvaluationResult {
  accepted: number;
  /** events whose evaluation threw */
  failed: number;
  /** the first failure's message */
  firstError?: string;
}

interface Batch {
  events: Record<string, unknown>[];
  next: number;
  result: EvaluationResult;
  done: (r: EvaluationResult) => void;
}

/** a batch of events, or a task run once, whole */
type Job = Batch | { task: () => void };

/** How often the clock is read while evaluating, in events. */
const CLOCK_EVERY = 16;

export class EvaluationQueue {
  private readonly jobs: Job[] = [];
  private turnSpentMs = 0;
  private scheduled = false;
  private turnResetScheduled = false;
  private closed = false;
  /** longest time one turn spent evaluating, in ms */
  longestTurnMs = 0;
  sinkErrors = 0;

  constructor(
    private readonly sink: AuditSink,
    /** evaluation time allowed per event-loop turn */
    private readonly budgetMs: number,
  ) {}

  get pendingBatches(): number {
    return this.jobs.length;
  }

  submit(events: Record<string, unknown>[], done: (r: EvaluationResult) => void): void {
    const job: Batch = { events, next: 0, result: { accepted: 0, failed: 0 }, done };
    this.jobs.push(job);
    if (this.jobs.length === 1 && !this.scheduled) this.runSlice();
    else this.schedule();
  }

  /**
   * Runs `task` in its turn in the FIFO: now if nothing waits and the turn
   * has budget left, else in a later turn. What it throws is counted in
   * sinkErrors; the task is expected to catch its own.
   */
  defer(task: () => void): void {
    this.jobs.push({ task });
    if (this.jobs.length === 1 && !this.scheduled) this.runSlice();
    else this.schedule();
  }

  /** Drops waiting work; their callbacks are not called. */
  close(): void {
    this.closed = true;
    this.jobs.length = 0;
  }

  private schedule(): void {
    if (this.scheduled || this.closed || this.jobs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.runSlice();
    });
  }

  /** Spends what is left of this turn's budget on the queue, oldest batch first. */
  private runSlice(): void {
    const now = performance.now();
    if (!this.turnResetScheduled) {
      // a new turn: the budget restarts once per turn of the event loop
      this.turnResetScheduled = true;
      this.turnSpentMs = 0;
      setImmediate(() => {
        this.turnResetScheduled = false;
      });
    }
    const deadline = now + Math.max(0, this.budgetMs - this.turnSpentMs);
    let t = now;
    while (this.jobs.length > 0 && t < deadline) {
      const job = this.jobs[0];
      if ('task' in job) {
        this.jobs.shift();
        try {
          job.task();
        } catch {
          this.sinkErrors++;
        }
        t = performance.now();
        continue;
      }
      const evs = job.events;
      while (job.next < evs.length) {
        const ev = evs[job.next++];
        try {
          this.sink.accept(ev);
          job.result.accepted++;
        } catch (err) {
          job.result.failed++;
          this.sinkErrors++;
          if (job.result.firstError === undefined) job.result.firstError = (err as Error)?.message ?? String(err);
        }
        if (job.next % CLOCK_EVERY === 0) {
          t = performance.now();
          if (t >= deadline) break;
        }
      }
      if (job.next >= evs.length) {
        this.jobs.shift();
        job.done(job.result);
        t = performance.now();
      }
    }
    const spent = t - now;
    this.turnSpentMs += spent;
    if (this.turnSpentMs > this.longestTurnMs) this.longestTurnMs = this.turnSpentMs;
    this.schedule();
  }
}
