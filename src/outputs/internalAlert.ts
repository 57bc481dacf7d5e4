// Alerts the agent raises about itself (Falco's "Falco internal: ..." rules):
// source `internal`, fields given as values.
import type { Priority } from '../engine/priority';
import type { Alert } from './alert';

export class InternalAlert implements Alert {
  readonly source = 'internal';
  readonly tags: readonly string[] = [];
  readonly time: bigint;

  constructor(
    readonly rule: string,
    readonly priority: Priority,
    readonly message: string,
    private readonly fields: Record<string, string | number | boolean | null>,
    nowMs = Date.now(),
  ) {
    this.time = BigInt(Math.round(nowMs)) * 1_000_000n;
  }

  outputFields(): Record<string, string | number | boolean | null> {
    return { ...this.fields };
  }
}
