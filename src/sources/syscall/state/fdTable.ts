// One process's open file descriptors. Threads of a process share one table;
// a forked child gets a copy. Bounded: past `max` entries the oldest inserted
// is forgotten (its events then show fd.name as <NA>), so a leaking process
// cannot grow the agent without limit.
//
// Descriptors below LOW_FDS sit in an array indexed by number: nearly every
// open/close is there, and an array slot is a load where a Map hashes (and
// rehashes as open/close churn fills it with deleted entries). Higher ones go
// to a Map. Insertion stamps keep the eviction order across both.
import { FdInfo } from './fdInfo';

export const DEFAULT_MAX_FDS = 4096;
const LOW_FDS = 1024;

export class FdTable {
  private readonly low: (FdInfo | undefined)[] = [];
  private readonly lowStamp: number[] = [];
  /** fds >= LOW_FDS, in insertion order (re-inserted on set), with their stamps */
  private readonly high = new Map<number, FdInfo>();
  private readonly highStamp = new Map<number, number>();
  private count = 0;
  private clock = 0;

  constructor(readonly max = DEFAULT_MAX_FDS) {}

  get size(): number {
    return this.count;
  }

  get(fd: number): FdInfo | undefined {
    return fd >= 0 && fd < LOW_FDS ? this.low[fd] : this.high.get(fd);
  }

  set(fd: number, info: FdInfo): void {
    if (fd < 0) return;
    if (fd < LOW_FDS) {
      if (this.low[fd] === undefined) this.count++;
      this.low[fd] = info;
      this.lowStamp[fd] = this.clock++;
    } else {
      if (!this.high.delete(fd)) this.count++;
      this.highStamp.delete(fd);
      this.high.set(fd, info);
      this.highStamp.set(fd, this.clock++);
    }
    if (this.count > this.max) this.evictOldest();
  }

  delete(fd: number): void {
    if (fd >= 0 && fd < LOW_FDS) {
      if (this.low[fd] !== undefined) {
        this.low[fd] = undefined;
        this.count--;
      }
    } else if (this.high.delete(fd)) {
      this.highStamp.delete(fd);
      this.count--;
    }
  }

  /** `newfd` now refers to what `oldfd` does (dup, dup2, dup3) */
  dup(oldfd: number, newfd: number): void {
    if (oldfd === newfd) return;
    const f = this.get(oldfd);
    if (f) this.set(newfd, f);
    else this.delete(newfd);
  }

  /** a copy for a forked child: same descriptors, entries shared until replaced */
  copy(): FdTable {
    const t = new FdTable(this.max);
    for (let i = 0; i < this.low.length; i++) {
      const f = this.low[i];
      if (f !== undefined) {
        t.low[i] = f;
        t.lowStamp[i] = this.lowStamp[i];
      }
    }
    for (const [k, v] of this.high) t.high.set(k, v);
    for (const [k, v] of this.highStamp) t.highStamp.set(k, v);
    t.count = this.count;
    t.clock = this.clock;
    return t;
  }

  *entries(): IterableIterator<[number, FdInfo]> {
    for (let i = 0; i < this.low.length; i++) {
      const f = this.low[i];
      if (f !== undefined) yield [i, f];
    }
    yield* this.high.entries();
  }

  // only for a process past `max` descriptors: a scan of the low slots per insert
  private evictOldest(): void {
    let oldest = -1;
    let stamp = Infinity;
    for (let i = 0; i < this.low.length; i++) {
      if (this.low[i] !== undefined && this.lowStamp[i] < stamp) {
        stamp = this.lowStamp[i];
        oldest = i;
      }
    }
    const firstHigh = this.highStamp.entries().next();
    if (!firstHigh.done && firstHigh.value[1] < stamp) oldest = firstHigh.value[0];
    if (oldest >= 0) this.delete(oldest);
  }
}
