// Audit evaluation on the webserver's own thread (webserver.threadiness -1,
// or the fallback of a worker pool left with no worker). Decoding a body
// cannot be cut, so it is one task in the evaluation queue; its events are
// then evaluated a slice per turn (evaluationQueue.ts), so the other work on
// this thread (the syscall source, the server's sockets) keeps its turns.
import type { AuditEvaluation, BatchAnswer, EvaluationStats } from './auditEvaluation';
import { decodeAuditBytes } from './auditBody';
import { droppedEventAlertData } from './droppedEventAlert';
import { type AuditSink, EvaluationQueue } from './evaluationQueue';

/** Evaluation time per event-loop turn. */
export const EVAL_BUDGET_MS = 5;

export class MainThreadEvaluation implements AuditEvaluation {
  private readonly queue: EvaluationQueue;

  constructor(
    private readonly sink: AuditSink,
    budgetMs = EVAL_BUDGET_MS,
  ) {
    this.queue = new EvaluationQueue(sink, budgetMs);
  }

  submit(body: Buffer, length: number, maxEventSize: number, done: (answer: BatchAnswer) => void): void {
    // one body per turn at most, behind the batches already queued
    this.queue.defer(() => {
      const decoded = decodeAuditBytes(body, length, maxEventSize);
      if ('error' in decoded) return done({ status: 400, error: decoded.error });
      const { events, rejected, reasons, dropped, droppedEvents } = decoded.batch;
      for (const obj of droppedEvents) this.sink.alert?.(droppedEventAlertData(obj, maxEventSize, true));
      if (events.length === 0) return done({ status: 200, facts: { rejected, reasons, dropped, events: 0, accepted: 0, failed: 0 } });
      this.queue.submit(events, (r) => done({ status: 200, facts: { rejected, reasons, dropped, events: events.length, ...r } }));
    });
  }

  stats(): EvaluationStats {
    return { pendingBatches: this.queue.pendingBatches, longestTurnMs: this.queue.longestTurnMs, readyWorkers: 0, crashes: 0 };
  }

  close(): Promise<void> {
    this.queue.close();
    return Promise.resolve();
  }
}
