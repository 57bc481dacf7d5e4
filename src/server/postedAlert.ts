// An alert that an evaluation worker made and posted back: already rendered,
// so the main thread's outputs treat it like one of its own.
import type { Priority } from '../engine/priority';
import type { Alert } from '../outputs/alert';
import type { PostedAlertData } from './auditWorkerProtocol';

export class PostedAlert implements Alert {
  readonly rule: string;
  readonly priority: Priority;
  readonly source: string;
  readonly tags: readonly string[];
  readonly message: string;
  readonly time: bigint;
  private readonly fields: Record<string, string | number | boolean | null> | undefined;

  constructor(data: PostedAlertData) {
    this.rule = data.rule;
    this.priority = data.priority;
    this.source = data.source;
    this.tags = data.tags;
    this.message = data.message;
    this.time = data.time;
    this.fields = data.fields;
  }

  outputFields(): Record<string, string | number | boolean | null> {
    // the pool asks for fields whenever the outputs show them (live.ts): reaching this is a wiring bug
    if (!this.fields) throw new Error(`alert '${this.rule}' from an evaluation worker has no output fields: the rules recipe did not ask for them`);
    return this.fields;
  }
}
