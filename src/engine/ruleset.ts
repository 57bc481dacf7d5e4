// The enabled rules of one source, indexed by event type. `match` is the hot
// path: one type lookup, then a loop over a prebuilt array.
import type { CompiledRule } from './engine';
import { EvttypeIndex } from './evttypeIndex';
import type { Source } from './source';

export class Ruleset<E> {
  private readonly index = new EvttypeIndex<CompiledRule<E>>();
  private stale = true;

  constructor(
    readonly source: Source<E>,
    /** all rules of this source, enabled or not, in definition order */
    private readonly all: () => readonly CompiledRule<E>[],
  ) {}

  /** Called when rules or their enablement change; the index is rebuilt on next use. */
  invalidate(): void {
    this.stale = true;
  }

  private refresh(): void {
    this.index.build(this.all().filter((r) => r.enabled));
    this.stale = false;
  }

  /** Matching enabled rules, in definition order; 'first' stops at the first (Falco's default rule_matching). */
  match(evt: E, mode: 'first' | 'all', onMatch: (rule: CompiledRule<E>) => void): void {
    if (this.stale) this.refresh();
    const rules = this.source.eventType ? this.index.rulesFor(this.source.eventType(evt)) : this.index.catchAllRules();
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (rule.evaluate(evt)) {
        onMatch(rule);
        if (mode === 'first') return;
      }
    }
  }

  /** Event types the enabled rules need; 'all' when some enabled rule matches every type. */
  eventTypes(): ReadonlySet<string> | 'all' {
    if (this.stale) this.refresh();
    return this.index.eventTypes();
  }

  /** The enabled rules, in definition order. */
  enabledRules(): readonly CompiledRule<E>[] {
    return this.all().filter((r) => r.enabled);
  }
}
