// The process table: threads by tid, bounded. Exited threads are purged after
// their exit event; past `max` entries the least recently inserted threads are
// evicted (a thread seen again is read back from /proc on demand).
import { FdTable, DEFAULT_MAX_FDS } from './fdTable';
import { ThreadInfo } from './threadInfo';

export const DEFAULT_MAX_THREADS = 65536;
/** ancestors walked at most (proc.aname, loginshellid): a guard against pid loops */
export const MAX_ANCESTORS = 64;

export class ThreadTable {
  private readonly threads = new Map<number, ThreadInfo>();
  evicted = 0;

  constructor(
    readonly max = DEFAULT_MAX_THREADS,
    readonly maxFds = DEFAULT_MAX_FDS,
  ) {}

  get size(): number {
    return this.threads.size;
  }

  get(tid: number): ThreadInfo | undefined {
    return this.threads.get(tid);
  }

  /** a new thread with an empty fd table, replacing any with the same tid */
  create(tid: number, fds?: FdTable): ThreadInfo {
    const t = new ThreadInfo(tid, fds ?? new FdTable(this.maxFds));
    t.pid = tid;
    this.add(t);
    return t;
  }

  add(t: ThreadInfo): void {
    this.threads.delete(t.tid);
    this.threads.set(t.tid, t);
    while (this.threads.size > this.max) {
      const oldest = this.threads.keys().next().value as number;
      this.threads.delete(oldest);
      this.evicted++;
    }
  }

  delete(tid: number): void {
    this.threads.delete(tid);
  }

  /** the process's main thread (tid == pid), when known */
  main(t: ThreadInfo): ThreadInfo | undefined {
    return t.tid === t.pid ? t : this.threads.get(t.pid);
  }

  /** the parent process's main thread, when known */
  parent(t: ThreadInfo): ThreadInfo | undefined {
    if (t.ppid <= 0 || t.ppid === t.pid) return undefined;
    return this.threads.get(t.ppid);
  }

  /** the n-th ancestor: 0 is t itself, 1 its parent... */
  ancestor(t: ThreadInfo, n: number): ThreadInfo | undefined {
    let cur: ThreadInfo | undefined = t;
    for (let i = 0; i < n && cur !== undefined; i++) {
      if (i >= MAX_ANCESTORS) return undefined;
      cur = this.parent(cur);
    }
    return cur;
  }

  values(): IterableIterator<ThreadInfo> {
    return this.threads.values();
  }
}
