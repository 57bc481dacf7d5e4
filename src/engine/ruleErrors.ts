// Rules whose condition threw while evaluating an event: the rule is taken as
// not matching and the others still run (bucketMatcher.ts); this counts the
// failures per rule and says so, in full for a rule's first one and then with
// its count at 10, 100, 1000... so a broken rule is seen without a flood.

export class RuleErrors {
  private readonly counts = new Map<string, number>();

  constructor(private readonly log: (msg: string) => void) {}

  /** `eventType`: the event's type (evt.type, or an audit event's resource) when its source has one */
  report(rule: string, err: unknown, source: string, eventType: string | undefined): void {
    const on = eventType === undefined ? `a ${source} event` : `a ${source} event of type ${eventType}`;
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n === 1) this.log(`rule '${rule}': its condition failed on ${on} and was taken as no match: ${(err as Error)?.message ?? String(err)}`);
    else if (/^10+$/.test(String(n))) this.log(`rule '${rule}': its condition has failed ${n} times (latest on ${on}: ${(err as Error)?.message ?? String(err)})`);
  }

  /** failures so far per rule */
  get byRule(): ReadonlyMap<string, number> {
    return this.counts;
  }
}
