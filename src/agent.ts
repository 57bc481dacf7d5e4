// The running agent's core: the loaded engine, the alert outputs and the alert
// counts. Every source (trace file, webserver, live capture) hands its events
// to a SourceEvaluator, which matches them against that source's ruleset.
import type { CompiledRule, Engine } from './engine/engine';
import type { Ruleset } from './engine/ruleset';
import type { Alert } from './outputs/alert';
import type { Outputs } from './outputs/outputs';
import { AlertCounts } from './outputs/summary';

export class Agent {
  readonly counts = new AlertCounts();
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
    const alert: Alert = {
      time,
      rule: rule.name,
      priority: rule.priority,
      source: rule.source,
      tags: rule.tags,
      message: rule.output.render(evt),
      outputFields: () => rule.output.fields(evt),
    };
    this.outputs.emit(alert);
  }

  summary(): string {
    return this.counts.format(this.engine.rules.map((r) => r.name));
  }
}

/** Evaluates one source's events; built once per source so the hot path allocates nothing. */
export class SourceEvaluator<E> {
  events = 0;
  private current: E | undefined;
  private readonly onMatch: (rule: CompiledRule<E>) => void;

  constructor(
    private readonly agent: Agent,
    public ruleset: Ruleset<E>,
  ) {
    this.onMatch = (rule) => {
      const evt = this.current as E;
      this.agent.alert(rule, evt, this.ruleset.source.time(evt));
    };
  }

  evaluate(evt: E): void {
    this.events++;
    this.current = evt;
    this.ruleset.match(evt, this.agent.ruleMatching, this.onMatch);
    this.current = undefined;
  }
}
