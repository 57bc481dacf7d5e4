// From a match to an alert, whichever thread matched: a RuleAlert where the
// event is at hand (rendered now, fields on demand); from an evaluation
// worker, the same alert as plain data (alertData) posted to the main thread
// and turned back into an Alert there (PostedAlert).
import type { CompiledRule } from '../engine/compiledRule';
import type { Priority } from '../engine/priority';
import type { Alert } from '../outputs/alert';

type OutputFields = Record<string, string | number | boolean | null>;

/** One match as an Alert; a class rather than an object literal with a closure, so an alert allocates one object. */
export class RuleAlert<E> implements Alert {
  readonly rule: string;
  readonly priority: Priority;
  readonly source: string;
  readonly tags: readonly string[];
  readonly message: string;

  constructor(
    private readonly matched: CompiledRule<E>,
    private readonly evt: E,
    readonly time: bigint,
  ) {
    this.rule = matched.name;
    this.priority = matched.priority;
    this.source = matched.source;
    this.tags = matched.tags;
    this.message = matched.output.render(evt);
  }

  /** computed once: JSON formatting and the gRPC record may both ask, and the event may be reused after emit */
  private fields: OutputFields | undefined;

  outputFields(): OutputFields {
    return (this.fields ??= this.matched.output.fields(this.evt));
  }
}

/** An alert as structured-clone data, with its message rendered and, when asked, its output fields. */
export interface AlertData {
  rule: string;
  priority: Priority;
  source: string;
  tags: readonly string[];
  message: string;
  time: bigint;
  /** present when the rules recipe asked for output fields */
  fields?: OutputFields;
}

/**
 * `alert` as data to post to another thread. `withFields`: computing the
 * output fields costs about as much as rendering the message, and only JSON
 * output with output_fields shows them.
 */
export function alertData(alert: Alert, withFields: boolean): AlertData {
  return {
    rule: alert.rule,
    priority: alert.priority,
    source: alert.source,
    tags: alert.tags,
    message: alert.message,
    time: alert.time,
    fields: withFields ? alert.outputFields() : undefined,
  };
}

/** An alert that arrived as data: the outputs treat it like one made on this thread. */
export class PostedAlert implements Alert {
  readonly rule: string;
  readonly priority: Priority;
  readonly source: string;
  readonly tags: readonly string[];
  readonly message: string;
  readonly time: bigint;
  private readonly fields: OutputFields | undefined;

  constructor(data: AlertData) {
    this.rule = data.rule;
    this.priority = data.priority;
    this.source = data.source;
    this.tags = data.tags;
    this.message = data.message;
    this.time = data.time;
    this.fields = data.fields;
  }

  outputFields(): OutputFields {
    // fields are asked for whenever the outputs show them (Agent.alertsNeedFields): reaching this is a wiring bug
    if (!this.fields) throw new Error(`alert '${this.rule}' from an evaluation worker has no output fields: the rules recipe did not ask for them`);
    return this.fields;
  }
}
