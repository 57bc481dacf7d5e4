// Matches one source's events against its ruleset and turns each match into
// an alert. The one evaluation step of every path: trace files and live
// sources on the main thread (through the Agent) and the audit evaluation
// workers (server/auditWorker.ts); only where the alerts go differs.
import type { CompiledRule } from '../engine/compiledRule';
import type { RuleErrors } from '../engine/ruleErrors';
import type { Ruleset } from '../engine/ruleset';
import { RuleAlert } from './ruleAlert';

export type RuleMatching = 'first' | 'all';

/** Built once per source, so the hot path allocates nothing but the alerts it makes. */
export class SourceEvaluator<E> {
  /** events evaluated */
  events = 0;
  /** told of each alert after it is emitted (Falco's rule captures) */
  alertObserver: ((rule: CompiledRule<E>, evt: E) => void) | undefined;
  private current: E | undefined;
  private readonly onMatch: (rule: CompiledRule<E>) => void;
  private readonly onError: (rule: CompiledRule<E>, err: unknown) => void;

  constructor(
    /** replaced when the rules are reloaded */
    public ruleset: Ruleset<E>,
    /** replaced when a reload changes rule_matching */
    public matching: RuleMatching,
    onAlert: (alert: RuleAlert<E>) => void,
    /** a rule whose condition throws is no match; it is reported here */
    ruleErrors: RuleErrors,
  ) {
    this.onMatch = (rule) => {
      const evt = this.current as E;
      onAlert(new RuleAlert(rule, evt, this.ruleset.source.time(evt)));
      this.alertObserver?.(rule, evt);
    };
    this.onError = (rule, err) => {
      const source = this.ruleset.source;
      ruleErrors.report(rule.name, err, source.name, source.eventType?.(this.current as E));
    };
  }

  evaluate(evt: E): void {
    this.events++;
    this.current = evt;
    this.ruleset.match(evt, this.matching, this.onMatch, this.onError);
    this.current = undefined;
  }
}
