// One process's open file descriptors. Threads of a process share one table;
// a forked child gets a copy. Bounded: past `max` entries the oldest inserted
// is forgotten (its events then show fd.name as <NA>), so a leaking process
// cannot grow the agent without limit.
import { FdInfo } from './fdInfo';

export const DEFAULT_MAX_FDS = 4096;

export class FdTable {
  private readonly fds = new Map<number, FdInfo>();

  constructor(readonly max = DEFAULT_MAX_FDS) {}

  get size(): number {
    return this.fds.size;
  }

  get(fd: number): FdInfo | undefined {
    return this.fds.get(fd);
  }

  set(fd: number, info: FdInfo): void {
    if (fd < 0) return;
    this.fds.delete(fd);
    this.fds.set(fd, info);
    if (this.fds.size > this.max) {
      const oldest = this.fds.keys().next().value as number;
      this.fds.delete(oldest);
    }
  }

  delete(fd: number): void {
    this.fds.delete(fd);
  }

  /** `newfd` now refers to what `oldfd` does (dup, dup2, dup3) */
  dup(oldfd: number, newfd: number): void {
    if (oldfd === newfd) return;
    const f = this.fds.get(oldfd);
    if (f) this.set(newfd, f);
    else this.fds.delete(newfd);
  }

  /** a copy for a forked child: same descriptors, entries shared until replaced */
  copy(): FdTable {
    const t = new FdTable(this.max);
    for (const [k, v] of this.fds) t.fds.set(k, v);
    return t;
  }

  entries(): IterableIterator<[number, FdInfo]> {
    return this.fds.entries();
  }
}
