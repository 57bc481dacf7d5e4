// The enabled rules of one source, indexed by event type. `match` is the hot
// path: one type lookup, then the bucket's generated matcher (bucketMatcher.ts).
// Each rule is tried with its evaluator specialized for the types the index
// routes to it (indexedEvaluate); rules' evaluators are read when the index
// is built.
import { bucketMatcher, type BucketMatcher } from './bucketMatcher';
import type { Predicate } from './check';
import type { CompiledRule } from './compiledRule';
import { EvttypeIndex } from './evttypeIndex';
import type { Source } from './source';

interface Entry<E> {
  rule: CompiledRule<E>;
  test: Predicate<E>;
  evttypes: ReadonlySet<string> | 'all';
}

export class Ruleset<E> {
  private readonly index = new EvttypeIndex<Entry<E>>();
  private matchers = new Map<string, BucketMatcher<E, CompiledRule<E>>>();
  private catchAllMatcher: BucketMatcher<E, CompiledRule<E>> = () => {};
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
      if (rule.enabled) entries.push({ rule, test: rule.indexedEvaluate(), evttypes: rule.evttypes });
    }
    this.index.build(entries);
    const matcher = (bucket: readonly Entry<E>[]) =>
      bucketMatcher(
        bucket.map((en) => en.test),
        bucket.map((en) => en.rule),
      );
    this.matchers = new Map();
    for (const type of this.index.indexedTypes()) this.matchers.set(type, matcher(this.index.rulesFor(type)));
    this.catchAllMatcher = matcher(this.index.catchAllRules());
    this.stale = false;
  }

  /**
   * Matching enabled rules, in definition order; 'first' stops at the first
   * (Falco's default rule_matching). A rule whose condition throws is no
   * match and goes to onError when given (see bucketMatcher.ts).
   */
  match(evt: E, mode: 'first' | 'all', onMatch: (rule: CompiledRule<E>) => void, onError?: (rule: CompiledRule<E>, err: unknown) => void): void {
    if (this.stale) this.refresh();
    const type = this.source.eventType?.(evt);
    const m = type === undefined ? this.catchAllMatcher : (this.matchers.get(type) ?? this.catchAllMatcher);
    m(evt, mode === 'first', onMatch, onError);
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
