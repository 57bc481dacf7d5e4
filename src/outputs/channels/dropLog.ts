// Says that a channel dropped alerts without flooding the log: the first drop
// of each kind in full, then the running count at 10, 100, 1000...
import type { ChannelStats, DropReason } from './channel';

const WHY: Record<DropReason, string> = {
  queue_full: 'its queue is full (the destination is slower than the alerts)',
  failed: 'delivery failed',
  shutdown: 'they were still queued when the exit timeout ran out',
};

export class DropLog {
  private readonly next: Record<DropReason, number> = { queue_full: 1, failed: 1, shutdown: 1 };

  constructor(
    private readonly channel: string,
    private readonly stats: ChannelStats,
    private readonly log: (msg: string) => void,
  ) {}

  /** counts `n` drops for `reason` and logs when the count crosses 1, 10, 100... */
  drop(reason: DropReason, n: number, detail?: string): void {
    const before = this.stats.dropped[reason];
    const after = before + n;
    this.stats.dropped[reason] = after;
    if (after < this.next[reason]) return;
    while (this.next[reason] <= after) this.next[reason] *= 10;
    const tail = detail ? `: ${detail}` : '';
    this.log(`${this.channel} output: ${after} alert(s) dropped so far because ${WHY[reason]}${tail}`);
  }
}
