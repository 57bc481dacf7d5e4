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
  private readonly fields: Record<string, string | number | boolean | null>;

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
    return this.fields;
  }
}
