// The messages between the main thread and an audit evaluation worker
// (auditWorker.ts, auditWorkerPool.ts). Everything is plain structured-clone
// data; a body travels as a transferred ArrayBuffer.
import type { Priority } from '../engine/priority';

/** What a worker needs to build exactly the main thread's engine. */
export interface RulesRecipe {
  /** every rules file the main engine loaded, in order, as read */
  files: readonly { name: string; content: string }[];
  /** names of the rules enabled on the main thread; every other rule is disabled */
  enabled: readonly string[];
  ruleMatching: 'first' | 'all';
  /** whether alerts carry their output fields (only JSON output with output_fields shows them) */
  withFields: boolean;
}

/** An alert made in a worker, with its rendered message and output fields. */
export interface PostedAlertData {
  rule: string;
  priority: Priority;
  source: string;
  tags: readonly string[];
  message: string;
  time: bigint;
  /** present when the recipe asked for output fields */
  fields?: Record<string, string | number | boolean | null>;
}

/** What became of one body: the same facts the main-thread path computes. */
export interface BatchFacts {
  /** elements that are not audit events, and the first few reasons */
  rejected: number;
  reasons: string[];
  /** events over max_event_size */
  dropped: number;
  /** events handed to evaluation */
  events: number;
  accepted: number;
  failed: number;
  firstError?: string;
}

export type ToWorker =
  | { type: 'rules'; gen: number; recipe: RulesRecipe }
  /** crashForTest: a test hook, the worker dies of an uncaught error instead of evaluating */
  | { type: 'batch'; id: number; body: ArrayBuffer; length: number; maxEventSize: number; crashForTest?: true };

export type FromWorker =
  /** enabled: the names of the rules the worker's engine has enabled, in its order */
  | { type: 'rules'; gen: number; enabled: string[] }
  | { type: 'rulesFailed'; gen: number; error: string }
  /** `error`: the body was not a batch (a 400), or the worker could not evaluate it */
  | { type: 'done'; id: number; error: string; status: 400 | 500 }
  | { type: 'done'; id: number; facts: BatchFacts; alerts: PostedAlertData[] };
