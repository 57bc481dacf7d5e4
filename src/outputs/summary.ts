// Counts alerts per rule and priority and prints Falco's end-of-run summary.
import { PRIORITIES, type Priority } from '../engine/priority';

const SHORT = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Info', 'Debug'];

export class AlertCounts {
  total = 0;
  private readonly byPriority = new Array<number>(PRIORITIES.length).fill(0);
  private readonly byRule = new Map<string, number>();

  /** alerts per rule so far */
  get rules(): ReadonlyMap<string, number> {
    return this.byRule;
  }

  /** alerts per priority (index: 0 emergency ... 7 debug) */
  get priorities(): readonly number[] {
    return this.byPriority;
  }

  count(rule: string, priority: Priority): void {
    this.total++;
    this.byPriority[priority]++;
    this.byRule.set(rule, (this.byRule.get(rule) ?? 0) + 1);
  }

  /** `ruleOrder` lists rule names in definition order, as Falco prints them; rules counted but not in it follow. */
  format(ruleOrder: readonly string[]): string {
    let out = `Events detected: ${this.total}\nRule counts by severity:\n`;
    this.byPriority.forEach((n, p) => {
      if (n > 0) out += `   ${SHORT[p]}: ${n}\n`;
    });
    out += 'Triggered rules by rule name:\n';
    const seen = new Set<string>();
    for (const name of ruleOrder) {
      const n = this.byRule.get(name);
      if (n && !seen.has(name)) {
        seen.add(name);
        out += `   ${name}: ${n}\n`;
      }
    }
    // rules that fired but are no longer loaded (a reload removed them) still count
    for (const [name, n] of this.byRule) if (!seen.has(name)) out += `   ${name}: ${n}\n`;
    return out;
  }
}
