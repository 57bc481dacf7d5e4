// What the webserver refuses or makes wait (budget waits, slow bodies,
// overload and shutdown answers, malformed requests) is counted in stats()
// and said on the log: the first of a kind at once, then at most one line per
// interval with the counts since the last line, so a flood cannot flood the log.

export class IntakeLog {
  private readonly counts = new Map<string, number>();
  private lastLineAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly everyMs = 10_000,
  ) {}

  /** Notes one occurrence of `what` (e.g. "waited for the body budget"), with `detail` for a line said at once. */
  note(what: string, detail: string): void {
    const now = performance.now();
    if (now - this.lastLineAt >= this.everyMs && this.counts.size === 0) {
      this.lastLineAt = now;
      this.log(`webserver: ${detail}`);
      return;
    }
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), Math.max(0, this.everyMs - (now - this.lastLineAt)));
      this.timer.unref();
    }
  }

  /** Says the counts not said yet. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size === 0) return;
    const secs = ((performance.now() - this.lastLineAt) / 1000).toFixed(1);
    const parts = [...this.counts].map(([what, n]) => `${n} ${what}`);
    this.counts.clear();
    this.lastLineAt = performance.now();
    this.log(`webserver: in the last ${secs} s: ${parts.join(', ')}`);
  }
}
