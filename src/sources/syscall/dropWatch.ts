// Syscall events the probe dropped (its ring buffer was full) while the agent
// runs: counted, and said on stderr as they happen, at most once per
// `logEveryMs` so a sustained overload does not flood the log (drops between
// two lines are summed into the next). The totals here are the one count of
// drops: the exit line, metrics and drop actions read them, and `onDrops`
// hears each new batch of drops as it is seen.
import type { ProbeCounters, ProbeStats } from './probe';

export interface DropWatchOptions {
  /** how often the probe's counters are read */
  intervalMs?: number;
  /** at most one log line per this many milliseconds */
  logEveryMs?: number;
  log: (msg: string) => void;
  /** new drops since the last poll, per category and in total */
  onDrops?: (delta: DropDelta) => void;
  /** every poll: the running totals since capture started */
  onPoll?: (seen: number, dropped: number) => void;
}

export type DropDelta = Record<'process' | 'file' | 'net' | 'other' | 'total', { seen: number; dropped: number }>;

const CATEGORIES = ['process', 'file', 'net', 'other'] as const;

export class DropWatch {
  /** events the probe saw, and dropped, since capture started (as of the last poll) */
  seen = 0;
  dropped = 0;
  private last: ProbeStats | undefined;
  private lastLogAt = -Infinity;
  /** drops not yet said, per category, since `pendingSince` */
  private pending: Record<(typeof CATEGORIES)[number], number> = { process: 0, file: 0, net: 0, other: 0 };
  private pendingSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;
  private readonly logEveryMs: number;

  constructor(
    private readonly read: () => ProbeStats,
    private readonly opts: DropWatchOptions,
  ) {
    this.intervalMs = opts.intervalMs ?? 1000;
    this.logEveryMs = opts.logEveryMs ?? 10_000;
  }

  start(): void {
    this.last = this.read();
    this.seen = this.last.total.seen;
    this.dropped = this.last.total.dropped;
    this.pendingSince = performance.now();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  /** Reads the counters; logs new drops unless a line was written less than logEveryMs ago. */
  poll(): void {
    const now = this.read();
    const prev = this.last ?? now;
    this.last = now;
    this.seen = now.total.seen;
    this.dropped = now.total.dropped;
    this.opts.onPoll?.(this.seen, this.dropped);
    const newDrops = now.total.dropped - prev.total.dropped;
    if (newDrops <= 0) return;
    const delta = { total: diff(now.total, prev.total) } as DropDelta;
    for (const c of CATEGORIES) {
      delta[c] = diff(now[c], prev[c]);
      this.pending[c] += delta[c].dropped;
    }
    this.opts.onDrops?.(delta);
    if (performance.now() - this.lastLogAt >= this.logEveryMs) this.say();
  }

  /** Final poll; says drops not said yet. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.poll();
    if (CATEGORIES.some((c) => this.pending[c] > 0)) this.say();
  }

  private say(): void {
    const t = performance.now();
    const n = CATEGORIES.reduce((sum, c) => sum + this.pending[c], 0);
    const parts = CATEGORIES.filter((c) => this.pending[c] > 0).map((c) => `${c} ${this.pending[c]}`);
    const secs = ((t - this.pendingSince) / 1000).toFixed(1);
    const pct = this.seen > 0 ? ((100 * this.dropped) / this.seen).toFixed(2) : '0';
    this.opts.log(`syscall: ${n} events dropped by the probe in the last ${secs} s (${parts.join(', ')}); ${this.dropped} of ${this.seen} seen dropped since start (${pct}%)`);
    for (const c of CATEGORIES) this.pending[c] = 0;
    this.pendingSince = t;
    this.lastLogAt = t;
  }
}

function diff(a: ProbeCounters, b: ProbeCounters): { seen: number; dropped: number } {
  return { seen: a.seen - b.seen, dropped: a.dropped - b.dropped };
}
