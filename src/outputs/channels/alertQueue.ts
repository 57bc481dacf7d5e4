// A bounded FIFO of output records (or of what a channel keeps of them): a
// ring of fixed capacity, so a slow destination holds at most `capacity`
// alerts and taking one costs no copy.
import type { OutputRecord } from './channel';

export class AlertQueue<T = OutputRecord> {
  private readonly ring: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`queue capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** false when full (the record is not taken) */
  push(r: T): boolean {
    if (this.count === this.capacity) return false;
    this.ring[(this.head + this.count) % this.capacity] = r;
    this.count++;
    return true;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const r = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return r;
  }

  /** removes up to `max` records, oldest first */
  take(max: number): T[] {
    const n = Math.min(max, this.count);
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = this.shift() as T;
    return out;
  }

  clear(): number {
    const n = this.count;
    while (this.count > 0) this.shift();
    return n;
  }
}
