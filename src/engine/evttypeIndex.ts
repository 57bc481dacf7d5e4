// The event-type index of a ruleset: for each event type some rule names, the
// array of rules to try for it (the rules of that type merged with the
// catch-all rules, in definition order), plus the catch-all array alone for
// every other type. Built once per change of enablement; a lookup is one
// Map.get and allocates nothing.

export interface Indexable {
  evttypes: ReadonlySet<string> | 'all';
}

export class EvttypeIndex<R extends Indexable> {
  private byType = new Map<string, R[]>();
  private catchAll: R[] = [];
  private types: ReadonlySet<string> | 'all' = new Set();

  /** Indexes `rules` (already filtered to the enabled ones), keeping their order. */
  build(rules: readonly R[]): void {
    const byType = new Map<string, R[]>();
    const catchAll: R[] = [];
    for (const r of rules) {
      if (r.evttypes === 'all') continue;
      for (const t of r.evttypes) if (!byType.has(t)) byType.set(t, []);
    }
    // One pass in definition order: a catch-all rule joins every type's array,
    // so each array is already merged and ordered.
    for (const r of rules) {
      if (r.evttypes === 'all') {
        catchAll.push(r);
        for (const arr of byType.values()) arr.push(r);
      } else {
        for (const t of r.evttypes) byType.get(t)!.push(r);
      }
    }
    this.byType = byType;
    this.catchAll = catchAll;
    this.types = catchAll.length > 0 ? 'all' : new Set(byType.keys());
  }

  /** The rules to try for an event of `type`, in definition order. */
  rulesFor(type: string): readonly R[] {
    return this.byType.get(type) ?? this.catchAll;
  }

  /** The types that have their own array (every type some indexed rule names). */
  indexedTypes(): IterableIterator<string> {
    return this.byType.keys();
  }

  /** The rules that match any type (all rules for sources without event types). */
  catchAllRules(): readonly R[] {
    return this.catchAll;
  }

  /** The types the indexed rules need; 'all' when some rule takes every type. */
  eventTypes(): ReadonlySet<string> | 'all' {
    return this.types;
  }
}
