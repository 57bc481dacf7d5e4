// The running agent's core: the loaded engine, the alert outputs and the alert
// counts. Every source (trace file, webserver, live capture) hands its events
// to a SourceEvaluator from evaluatorFor; alerts made elsewhere (audit
// evaluation workers) come in through emit.
import type { Engine } from './engine/engine';
import { RuleErrors } from './engine/ruleErrors';
import { type RuleMatching, SourceEvaluator } from './evaluation/sourceEvaluator';
import type { Alert } from './outputs/alert';
import type { Outputs } from './outputs/outputs';
import { AlertCounts } from './outputs/summary';
import { logger } from './log';

export class Agent {
  readonly counts = new AlertCounts();
  /** rules whose condition threw, per rule; said on stderr as they happen */
  readonly ruleErrors = new RuleErrors(logger.at('warning'));
  private readonly evaluators: SourceEvaluator<any>[] = [];
  private readonly emitAlert = (alert: Alert): void => this.emit(alert);

  constructor(
    public engine: Engine,
    /** replaced by a reload that changes the output settings */
    public outputs: Outputs,
    public ruleMatching: RuleMatching,
  ) {}

  evaluatorFor<E>(source: string): SourceEvaluator<E> {
    const evaluator = new SourceEvaluator<E>(this.engine.ruleset<E>(source), this.ruleMatching, this.emitAlert, this.ruleErrors);
    this.evaluators.push(evaluator);
    return evaluator;
  }

  /** Swaps in a newly loaded engine (a reload): each evaluator moves to its source's new ruleset. */
  replaceEngine(engine: Engine, ruleMatching: RuleMatching = this.ruleMatching): void {
    this.engine = engine;
    this.ruleMatching = ruleMatching;
    for (const ev of this.evaluators) {
      ev.ruleset = engine.ruleset(ev.ruleset.source.name);
      ev.matching = ruleMatching;
    }
  }

  /** Counts the alert and hands it to the outputs. */
  emit(alert: Alert): void {
    this.counts.count(alert.rule, alert.priority);
    this.outputs.emit(alert);
  }

  /** Whether the outputs show alerts' output fields (JSON with output_fields, or the gRPC output), so alerts made elsewhere must carry them. */
  get alertsNeedFields(): boolean {
    return (this.outputs.format.json && this.outputs.format.includeOutputFields) || this.outputs.needsFields;
  }

  /** events evaluated so far, per source */
  eventCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const ev of this.evaluators) out.set(ev.ruleset.source.name, (out.get(ev.ruleset.source.name) ?? 0) + ev.events);
    return out;
  }

  summary(): string {
    return this.counts.format(this.engine.rules.map((r) => r.name));
  }
}
