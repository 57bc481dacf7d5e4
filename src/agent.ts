// The running agent's core: the loaded engine, the alert outputs and the alert
// counts. Every source (trace file, webserver, live capture) hands its events
// to a SourceEvaluator, which matches them against that source's ruleset.
import type { CompiledRule, Engine } from './engine/engine';
import type { Priority } from './engine/priority';
import { RuleErrors } from './engine/ruleErrors';
import type { Ruleset } from './engine/ruleset';
import type { Alert } from './outputs/alert';
import type { Outputs } from './outputs/outputs';
import { AlertCounts } from './outputs/summary';

export class Agent {
  readonly counts = new AlertCounts();
  /** rules whose condition threw, per rule; said on stderr as they happen */
  readonly ruleErrors = new RuleErrors((msg) => process.stderr.write(`${msg}\n`));
  private readonly evaluators: SourceEvaluator<any>[] = [];

  constructor(
    public engine: Engine,
    readonly outputs: Outputs,
    readonly ruleMatching: 'first' | 'all',
  ) {}

  evaluatorFor<E>(source: string): SourceEvaluator<E> {
    const evaluator = new SourceEvaluator<E>(this, this.engine.ruleset<E>(source));
    this.evaluators.push(evaluator);
    return evaluator;
  }

  /** Swaps in a newly loaded engine (a rules reload): each evaluator moves to its source's new ruleset. */
  replaceEngine(engine: Engine): void {
    this.engine = engine;
    for (const ev of this.evaluators) ev.ruleset = engine.ruleset(ev.ruleset.source.name);
  }

  alert<E>(rule: CompiledRule<E>, evt: E, time: bigint): void {
    this.counts.count(rule.name, rule.priority);
    this.outputs.emit(new RuleAlert(rule, evt, time));
  }

  /** An alert made elsewhere (an evaluation worker thread): counted and emitted as one of ours. */
  emitAlert(alert: Alert): void {
    this.counts.count(alert.rule, alert.priority);
    this.outputs.emit(alert);
  }

  summary(): string {
    return this.counts.format(this.engine.rules.map((r) => r.name));
  }
}

/** One match as an Alert; a class rather than an object literal with a closure, so an alert allocates one object. */
class RuleAlert<E> implements Alert {
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

  outputFields(): Record<string, string | number | boolean | null> {
    return this.matched.output.fields(this.evt);
  }
}

/** Evaluates one source's events; built once per source so the hot path allocates nothing. */
export class SourceEvaluator<E> {
  events = 0;
  private current: E | undefined;
  private readonly onMatch: (rule: CompiledRule<E>) => void;
  private readonly onError: (rule: CompiledRule<E>, err: unknown) => void;

  constructor(
    private readonly agent: Agent,
    public ruleset: Ruleset<E>,
  ) {
    this.onMatch = (rule) => {
      const evt = this.current as E;
      this.agent.alert(rule, evt, this.ruleset.source.time(evt));
    };
    this.onError = (rule, err) => {
      const source = this.ruleset.source;
      this.agent.ruleErrors.report(rule.name, err, source.name, source.eventType?.(this.current as E));
    };
  }

  evaluate(evt: E): void {
    this.events++;
    this.current = evt;
    this.ruleset.match(evt, this.agent.ruleMatching, this.onMatch, this.onError);
    this.current = undefined;
  }
}
