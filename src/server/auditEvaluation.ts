// What the webserver asks of audit evaluation, whatever the threading: take a
// body, decode it (auditBody.ts), evaluate its events, answer once. On the
// server's own thread that is mainThreadEvaluation.ts; in worker threads,
// auditWorkerPool.ts.

/** What became of one body's elements. */
export interface BatchFacts {
  /** elements that are not audit events, and the first few reasons */
  rejected: number;
  reasons: string[];
  /** events over max_event_size */
  dropped: number;
  /** events handed to evaluation */
  events: number;
  accepted: number;
  /** events whose evaluation threw, and the first one's message */
  failed: number;
  firstError?: string;
}

/** The answer for one body: its facts, or why it could not be evaluated (400: not a batch; 500: no evaluation). */
export type BatchAnswer = { status: 200; facts: BatchFacts } | { status: 400 | 500; error: string };

export interface EvaluationStats {
  /** batches waiting for or under evaluation */
  pendingBatches: number;
  /** longest evaluation time spent in one event-loop turn on the server's thread, ms */
  longestTurnMs: number;
  /** evaluation workers taking batches (0: evaluation runs on the server's thread) */
  readyWorkers: number;
  /** times an evaluation worker died */
  crashes: number;
}

export interface AuditEvaluation {
  /**
   * Decodes `length` bytes of `body` and evaluates its events; `done` is
   * called exactly once (unless the evaluation is closed first, see close).
   * The body's memory may be moved to another thread: do not use it after.
   */
  submit(body: Buffer, length: number, maxEventSize: number, done: (answer: BatchAnswer) => void): void;
  stats(): EvaluationStats;
  /**
   * Takes no more bodies. Worker threads answer what they hold for up to
   * `timeoutMs`, then what is left is answered 500; on the server's thread,
   * bodies still waiting are dropped unanswered (the server has stopped).
   */
  close(timeoutMs: number): Promise<void>;
}
