// Bounds the bytes of request bodies held at once, across all connections.
// A request reserves its declared length before its body is read; when the
// budget is spent it waits in line (its connection paused, so the kernel's
// TCP window pushes back on the client) until earlier bodies are evaluated
// and released. Reserving whole bodies up front means every admitted body can
// finish, so waiting never deadlocks.

export interface Reservation {
  readonly bytes: number;
  /** the budget granted it (always true for an immediate grant) */
  granted: boolean;
}

export class ByteBudget {
  private used = 0;
  private peakUsed = 0;
  private readonly waiting: { r: Reservation; onGrant: () => void }[] = [];

  constructor(readonly limit: number) {}

  /**
   * Reserves `bytes` (at most `limit`). Returns the reservation, granted at
   * once when it fits and nobody is waiting; otherwise `onGrant` runs later.
   */
  reserve(bytes: number, onGrant: () => void): Reservation {
    if (bytes > this.limit) throw new RangeError(`cannot reserve ${bytes} bytes of a ${this.limit}-byte budget`);
    const r: Reservation = { bytes, granted: false };
    if (this.waiting.length === 0 && this.used + bytes <= this.limit) this.grant(r);
    else this.waiting.push({ r, onGrant });
    return r;
  }

  /** Whether `bytes` would be granted at once. */
  fits(bytes: number): boolean {
    return this.waiting.length === 0 && this.used + bytes <= this.limit;
  }

  /** Gives back a granted reservation, or withdraws a waiting one. Idempotent per reservation. */
  release(r: Reservation): void {
    if (r.granted) {
      r.granted = false;
      this.used -= r.bytes;
    } else {
      const i = this.waiting.findIndex((w) => w.r === r);
      if (i >= 0) this.waiting.splice(i, 1);
    }
    while (this.waiting.length > 0 && this.used + this.waiting[0].r.bytes <= this.limit) {
      const w = this.waiting.shift()!;
      this.grant(w.r);
      w.onGrant();
    }
  }

  get bytesReserved(): number {
    return this.used;
  }

  get peakBytesReserved(): number {
    return this.peakUsed;
  }

  get waiters(): number {
    return this.waiting.length;
  }

  private grant(r: Reservation): void {
    r.granted = true;
    this.used += r.bytes;
    if (this.used > this.peakUsed) this.peakUsed = this.used;
  }
}
