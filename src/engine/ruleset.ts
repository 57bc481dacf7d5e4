// The enabled rules of one source, indexed by event type. `match` is the hot
// path: one type lookup, then a loop over a prebuilt array. Each entry holds
// the rule's evaluator specialized for the types the index routes to it
// (indexedEvaluator), read when the index is built.
import { indexedEvaluator } from './compile';
import type { CompiledRule } from './engine';
import { EvttypeIndex } from './evttypeIndex';
import type { Predicate } from './operators';
import type { Source } from './source';

interface Entry<E> {
  rule: CompiledRule<E>;
  test: Predicate<E>;
  evttypes: ReadonlySet<string> | 'all';
}

export class Ruleset<E> {
  private readonly index = new EvttypeIndex<Entry<E>>();
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
    const entries: Entry<E>[] = [];
    for (const rule of this.all()) {
      if (rule.enabled) entries.push({ rule, test: indexedEvaluator(rule.evaluate, rule.evttypes), evttypes: rule.evttypes });
    }
    this.index.build(entries);
    this.stale = false;
  }

  /** Matching enabled rules, in definition order; 'first' stops at the first (Falco's default rule_matching). */
  match(evt: E, mode: 'first' | 'all', onMatch: (rule: CompiledRule<E>) => void): void {
    if (this.stale) this.refresh();
    const entries = this.source.eventType ? this.index.rulesFor(this.source.eventType(evt)) : this.index.catchAllRules();
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.test(evt)) {
        onMatch(entry.rule);
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
