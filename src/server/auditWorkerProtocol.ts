// The messages between the main thread and an audit evaluation worker
// (auditWorker.ts, auditWorkerPool.ts). Everything is plain structured-clone
// data; a body travels as a transferred ArrayBuffer.
import type { AlertData } from '../evaluation/ruleAlert';
import type { RuleMatching } from '../evaluation/sourceEvaluator';
import type { BatchFacts } from './auditEvaluation';

import type { OutputAppend } from '../engine/outputAppend';
import type { CollectedForm } from '../engine/rules/collectedForm';

/** What a worker needs to build exactly the main thread's k8s_audit rules. */
export interface RulesRecipe {
  /** the main engine's merged definitions with its k8s_audit rules (no YAML to read again) */
  collected: CollectedForm;
  /** names of the k8s_audit rules enabled on the main thread; every other rule is disabled */
  enabled: readonly string[];
  ruleMatching: RuleMatching;
  /** append_output as the main engine applied it */
  appends: readonly OutputAppend[];
  /** static_fields as the main engine has them */
  staticFields: Readonly<Record<string, string>>;
  /** whether alerts carry their output fields (only JSON output with output_fields shows them) */
  withFields: boolean;
}

export type ToWorker =
  | { type: 'rules'; gen: number; recipe: RulesRecipe }
  | { type: 'batch'; id: number; body: ArrayBuffer; length: number; maxEventSize: number };

export type FromWorker =
  /** enabled: the names of the rules the worker's engine has enabled, in its order */
  | { type: 'rules'; gen: number; enabled: string[] }
  | { type: 'rulesFailed'; gen: number; error: string }
  /** a line of the worker's RuleErrors (a rule's condition failed), for the main thread's logger */
  | { type: 'ruleError'; msg: string }
  /** `error`: the body was not a batch (a 400), or the worker could not evaluate it */
  | { type: 'done'; id: number; error: string; status: 400 | 500 }
  | { type: 'done'; id: number; facts: BatchFacts; alerts: AlertData[] };
