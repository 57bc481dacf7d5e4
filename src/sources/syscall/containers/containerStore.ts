// The containers the syscall stream has seen, and what the runtimes said of
// them. The event path only reads the cache (`get`) and says which containers
// it meets (`seen`, a Map lookup when already known); the runtimes are asked
// off that path, a bounded number at a time and per second, each answer
// within a deadline. A runtime socket that is missing is skipped quietly
// (most hosts run one runtime); one that hangs, drops the connection or
// answers garbage is warned about once and the next runtime is tried.
import type { ContainerRef, RuntimeHint } from '../state/containerId';
import { ContainerInfo } from './containerInfo';
import type { ContainerEngine } from './engines/engine';
import { EngineError } from './engines/engine';

export interface StoreOptions {
  /** the runtimes to ask, in order */
  engines: readonly ContainerEngine[];
  /** how long one runtime may take to answer one container */
  timeoutMs: number;
  /** lookups started per second, at most (a burst of that many) */
  maxPerSecond: number;
  /** lookups in flight at once, at most */
  maxConcurrent: number;
  /** tries for a container no runtime knows yet (it may be starting) */
  attempts: number;
  /** wait before the second try; doubled for each later one */
  retryMs: number;
  /** containers cached at most; past that new ones stay undescribed */
  maxContainers: number;
  log: (msg: string) => void;
  /** a container was described (`container`) or is gone (`container_removed`); never called inside `seen` or `removed` */
  onChange?: (kind: 'container' | 'container_removed', info: ContainerInfo) => void;
}

export const STORE_DEFAULTS: Omit<StoreOptions, 'engines' | 'log'> = {
  timeoutMs: 2000,
  maxPerSecond: 20,
  maxConcurrent: 4,
  attempts: 3,
  retryMs: 500,
  maxContainers: 10000,
};

/** container.type before any runtime answered: what the cgroup layout says */
const TYPE_OF_HINT: Readonly<Record<RuntimeHint, string>> = { docker: 'docker', podman: 'podman', containerd: 'containerd', 'cri-o': 'cri-o', cri: 'cri' };

/** a socket found absent is tried again after this long */
const ABSENT_RETRY_MS = 30_000;
/** a socket that failed otherwise (hung, garbage) is left alone this long, so it does not cost every lookup a timeout */
const FAILED_RETRY_MS = 10_000;

interface Pending {
  ref: ContainerRef;
  attempt: number;
}

export class ContainerStore {
  private readonly byId = new Map<string, ContainerInfo>();
  private readonly opts: StoreOptions;
  private readonly queue: Pending[] = [];
  private running = 0;
  private tokens: number;
  private refilledAt = Date.now();
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly warned = new Set<string>();
  private readonly absentUntil = new Map<string, number>();
  private full = false;
  private closed = false;
  /** counters for the exit line and tests */
  readonly stats = { lookups: 0, described: 0, unknown: 0, failures: 0, removed: 0 };

  constructor(opts: Partial<StoreOptions> & Pick<StoreOptions, 'engines' | 'log'>) {
    this.opts = { ...STORE_DEFAULTS, ...opts };
    this.tokens = this.opts.maxPerSecond;
  }

  get size(): number {
    return this.byId.size;
  }

  /** What is known of a container (12-character id): described, or only its id and type; undefined when never seen. */
  get(id: string): ContainerInfo | undefined {
    return this.byId.get(id);
  }

  /** The event path met this container: ask the runtimes about it unless it is known already. */
  seen(ref: ContainerRef): void {
    if (this.byId.has(ref.id) || this.closed) return;
    if (this.byId.size >= this.opts.maxContainers) {
      if (!this.full) this.opts.log(`containers: ${this.opts.maxContainers} containers cached, newer ones are not looked up (container_engines.max_containers)`);
      this.full = true;
      return;
    }
    this.byId.set(ref.id, new ContainerInfo({ fullId: ref.fullId, type: TYPE_OF_HINT[ref.hint] }, false));
    if (this.opts.engines.length === 0) return;
    this.queue.push({ ref, attempt: 1 });
    this.pump();
  }

  /** The container is gone (its init exited): forget it, and say so after the current batch. */
  removed(id: string): void {
    const c = this.byId.get(id);
    if (c === undefined) return;
    this.byId.delete(id);
    this.full = false;
    this.stats.removed++;
    const onChange = this.opts.onChange;
    if (onChange) this.later(0, () => onChange('container_removed', c));
  }

  close(): void {
    this.closed = true;
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    for (const e of this.opts.engines) e.close();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  /** start queued lookups while slots and tokens allow; come back when tokens refill */
  private pump(): void {
    const now = Date.now();
    const perSecond = this.opts.maxPerSecond;
    this.tokens = Math.min(perSecond, this.tokens + ((now - this.refilledAt) * perSecond) / 1000);
    this.refilledAt = now;
    while (this.queue.length > 0 && this.running < this.opts.maxConcurrent && this.tokens >= 1) {
      const p = this.queue.shift()!;
      // removed while it waited
      if (!this.byId.has(p.ref.id)) continue;
      this.tokens--;
      this.running++;
      void this.lookup(p).finally(() => {
        this.running--;
        if (!this.closed) this.pump();
      });
    }
    if (this.queue.length > 0 && this.running < this.opts.maxConcurrent && this.pumpTimer === undefined) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        if (!this.closed) this.pump();
      }, Math.ceil(1000 / perSecond));
      this.pumpTimer.unref();
    }
  }

  private async lookup(p: Pending): Promise<void> {
    this.stats.lookups++;
    for (const engine of this.opts.engines) {
      if (!engine.hints.includes(p.ref.hint)) continue;
      const key = `${engine.kind}:${engine.socket}`;
      if ((this.absentUntil.get(key) ?? 0) > Date.now()) continue;
      let facts;
      try {
        facts = await engine.inspect(p.ref, Date.now() + this.opts.timeoutMs);
      } catch (e) {
        if (this.closed) return;
        this.failed(engine, key, e);
        continue;
      }
      if (this.closed) return;
      if (facts === undefined) continue;
      // removed while the runtime answered: nothing to describe any more
      if (!this.byId.has(p.ref.id)) return;
      const info = new ContainerInfo(facts, true);
      this.byId.set(p.ref.id, info);
      this.stats.described++;
      this.opts.onChange?.('container', info);
      return;
    }
    if (this.closed || !this.byId.has(p.ref.id)) return;
    if (p.attempt < this.opts.attempts) {
      this.later(this.opts.retryMs * 2 ** (p.attempt - 1), () => {
        this.queue.push({ ref: p.ref, attempt: p.attempt + 1 });
        this.pump();
      });
    } else {
      this.stats.unknown++;
    }
  }

  private failed(engine: ContainerEngine, key: string, e: unknown): void {
    if (e instanceof EngineError && e.absent) {
      this.absentUntil.set(key, Date.now() + ABSENT_RETRY_MS);
      return;
    }
    this.stats.failures++;
    this.absentUntil.set(key, Date.now() + FAILED_RETRY_MS);
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const msg = e instanceof Error ? e.message : String(e);
    this.opts.log(`containers: warning: ${engine.kind} runtime at ${engine.socket} failed: ${msg}; its containers may lack metadata (said once per socket)`);
  }
}
