// Audit evaluation in worker threads, the main thread's side: starts the
// workers, gives each the rules recipe and checks it built the same rules,
// hands each body to the least busy ready worker, and turns the answers back
// into batch results and alerts. A worker that dies has its in-flight batches
// answered as failures and is restarted; one whose rules differ is not used.
// With no worker left, bodies go to the fallback evaluation when there is one.
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Engine } from '../engine/engine';
import { type AlertData, PostedAlert } from '../evaluation/ruleAlert';
import type { RuleMatching } from '../evaluation/sourceEvaluator';
import type { AuditEvaluation, BatchAnswer, EvaluationStats } from './auditEvaluation';
import type { FromWorker, RulesRecipe, ToWorker } from './auditWorkerProtocol';
import { enabledDifference } from './enabledDifference';

export type { RulesRecipe } from './auditWorkerProtocol';
export type { BatchAnswer } from './auditEvaluation';

export interface AuditWorkerPoolOptions {
  threads: number;
  recipe: RulesRecipe;
  /** each alert a worker made, before its batch is answered */
  onAlert(alert: PostedAlert): void;
  log(msg: string): void;
  /** a worker's rule errors (a condition that failed on an event); `log` unless given */
  ruleErrorLog?(msg: string): void;
  /** where bodies go when no worker is left (evaluation on the server's thread); without it they are answered 500 */
  fallback?: AuditEvaluation;
  /** the worker's script: auditWorker beside this file unless given */
  workerScript?: string;
}

/** Restarts allowed per worker slot within CRASH_WINDOW_MS before the slot is given up. */
const MAX_RESTARTS = 5;
const CRASH_WINDOW_MS = 60_000;

/**
 * The recipe that rebuilds `engine`'s k8s_audit rules and their enablement in
 * a worker. `withFields`: alerts carry output fields (see alertData).
 */
export function rulesRecipe(engine: Engine, ruleMatching: RuleMatching, withFields = true): RulesRecipe {
  return {
    collected: engine.collectedForm(['k8s_audit']),
    enabled: engine.rules.filter((r) => r.enabled && r.source === 'k8s_audit').map((r) => r.name),
    ruleMatching,
    appends: engine.appends,
    staticFields: engine.staticFields,
    withFields,
  };
}

/** webserver.threadiness as a worker count: 0 is one per online CPU, at most 4; -1 is none (main thread). */
export function evaluationThreads(threadiness: number): number {
  if (threadiness < 0) return 0;
  if (threadiness === 0) return Math.min(4, os.availableParallelism());
  return threadiness;
}

/** The worker's default script: the compiled .js beside this file, or under tsx the .ts source. */
const WORKER_SCRIPT = path.join(__dirname, `auditWorker${path.extname(__filename)}`);

function spawnWorker(file: string): Worker {
  if (path.extname(file) !== '.ts') return new Worker(file);
  // tsx's --import hook does not reach a worker's entry on Node 20: register its CJS hook first
  const tsx = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true });
}

interface Pending {
  done: (a: BatchAnswer) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  /** loading: rules sent, not yet confirmed; ready: takes batches; gone: exited or given up */
  state: 'loading' | 'ready' | 'gone';
  inFlight: Map<number, Pending>;
  crashes: number[];
  lastError?: string;
  /** set when the pool terminates it on purpose */
  retiring: boolean;
  /** the rules generation it last confirmed */
  builtGen?: number;
}

export class AuditWorkerPool implements AuditEvaluation {
  private readonly slots: (Slot | undefined)[] = [];
  /** slots given up on and replaced while batches were still in flight on them */
  private readonly retired = new Set<Slot>();
  private recipe: RulesRecipe;
  private gen = 0;
  /** when the rules of `gen` were sent, and whether every worker has said it built them */
  private genSentAt = Date.now();
  private genAnnounced = false;
  private nextId = 1;
  /** batches that came while no worker was ready yet */
  private readonly waiting: { msg: ToWorker & { type: 'batch' }; pending: Pending }[] = [];
  private closing = false;
  private drained: (() => void) | undefined;
  crashes = 0;
  batches = 0;

  constructor(private readonly opts: AuditWorkerPoolOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`audit worker pool: threads must be a positive integer, got ${opts.threads}`);
    this.recipe = opts.recipe;
    for (let i = 0; i < opts.threads; i++) this.slots.push(this.start(i));
  }

  /** Whether a batch submitted now will be evaluated by a worker (ready, or loading the rules). */
  get usable(): boolean {
    return this.slots.some((s) => s !== undefined && s.state !== 'gone');
  }

  get readyWorkers(): number {
    return this.slots.filter((s) => s?.state === 'ready').length;
  }

  /** batches handed to workers or waiting for one */
  get pendingBatches(): number {
    let n = this.waiting.length;
    for (const s of this.slots) if (s) n += s.inFlight.size;
    for (const s of this.retired) n += s.inFlight.size;
    return n;
  }

  stats(): EvaluationStats {
    const fallback = this.opts.fallback?.stats();
    return {
      pendingBatches: this.pendingBatches + (fallback?.pendingBatches ?? 0),
      longestTurnMs: fallback?.longestTurnMs ?? 0,
      readyWorkers: this.readyWorkers,
      crashes: this.crashes,
    };
  }

  /**
   * Hands a body to a worker. The body's memory moves to the worker when the
   * Buffer owns its whole ArrayBuffer, else `length` bytes are copied once.
   * `done` is called exactly once.
   */
  submit(body: Buffer, length: number, maxEventSize: number, done: (a: BatchAnswer) => void): void {
    if (this.closing) return done({ status: 500, error: 'the server is shutting down' });
    if (!this.usable) {
      if (this.opts.fallback) return this.opts.fallback.submit(body, length, maxEventSize, done);
      return done({ status: 500, error: 'no audit evaluation worker is running' });
    }
    const owns = body.byteOffset === 0 && body.buffer.byteLength === body.byteLength && body.buffer instanceof ArrayBuffer;
    const ab = owns ? (body.buffer as ArrayBuffer) : (body.buffer.slice(body.byteOffset, body.byteOffset + length) as ArrayBuffer);
    const msg = { type: 'batch' as const, id: this.nextId++, body: ab, length, maxEventSize };
    this.batches++;
    const slot = this.leastBusy();
    if (slot) this.send(slot, msg, { done });
    else this.waiting.push({ msg, pending: { done } });
  }

  /** New rules (a reload): every worker swaps engines before its next batch. */
  updateRules(recipe: RulesRecipe): void {
    this.recipe = recipe;
    this.gen++;
    this.genSentAt = Date.now();
    this.genAnnounced = false;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s || s.state === 'gone') {
        // a worker given up on (crashes, rules that differed) gets another try with the new rules;
        // batches still in flight on the old one keep counting until they are answered
        if (s && s.inFlight.size > 0) this.retired.add(s);
        this.slots[i] = this.start(i);
        continue;
      }
      s.worker.postMessage({ type: 'rules', gen: this.gen, recipe } satisfies ToWorker);
    }
  }

  /**
   * Stops taking batches, waits up to `timeoutMs` for those in flight (their
   * alerts are emitted as they come), then terminates the workers; batches
   * still unanswered then are answered 500.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    // bodies on the fallback's queue are dropped as the server stops, as without workers
    await this.opts.fallback?.close(timeoutMs);
    if (this.pendingBatches > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = undefined;
    }
    for (const w of this.waiting.splice(0)) w.pending.done({ status: 500, error: 'the server shut down before a worker took the batch' });
    const ends: Promise<number>[] = [];
    for (const s of [...this.slots, ...this.retired]) {
      if (!s) continue;
      s.retiring = true;
      this.failInFlight(s, 'the server shut down before the batch was evaluated');
      ends.push(s.worker.terminate());
    }
    await Promise.all(ends);
  }

  private start(index: number, crashes: number[] = []): Slot {
    const worker = spawnWorker(this.opts.workerScript ?? WORKER_SCRIPT);
    const slot: Slot = { index, worker, state: 'loading', inFlight: new Map(), crashes, retiring: false };
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (err) => {
      slot.lastError = err?.message ?? String(err);
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    worker.postMessage({ type: 'rules', gen: this.gen, recipe: this.recipe } satisfies ToWorker);
    return slot;
  }

  private leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s?.state !== 'ready') continue;
      if (!best || s.inFlight.size < best.inFlight.size) best = s;
    }
    return best;
  }

  private send(slot: Slot, msg: ToWorker & { type: 'batch' }, pending: Pending): void {
    slot.inFlight.set(msg.id, pending);
    slot.worker.postMessage(msg, [msg.body]);
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    switch (m.type) {
      case 'rules': {
        if (m.gen !== this.gen) return; // an older recipe; the newer answer follows
        const differs = enabledDifference(this.recipe.enabled, m.enabled);
        if (differs) {
          this.giveUp(slot, `audit worker ${slot.index}: its enabled rules differ from the main thread's (${differs}); not using it`);
          return;
        }
        if (slot.state === 'loading') {
          slot.state = 'ready';
          this.dispatchWaiting();
        }
        this.announceBuilt(slot);
        return;
      }
      case 'ruleError':
        (this.opts.ruleErrorLog ?? this.opts.log)(`audit worker ${slot.index}: ${m.msg}`);
        return;
      case 'rulesFailed':
        if (m.gen === this.gen) this.giveUp(slot, `audit worker ${slot.index}: ${m.error}; not using it`);
        return;
      case 'done': {
        const pending = slot.inFlight.get(m.id);
        if (!pending) return;
        slot.inFlight.delete(m.id);
        if ('facts' in m) {
          for (const a of m.alerts) this.emit(a);
          pending.done({ status: 200, facts: m.facts });
        } else {
          pending.done({ status: m.status, error: m.error });
        }
        this.checkDrained();
        return;
      }
    }
  }

  /**
   * Once per set of rules, when every worker has built it: a big rules file
   * takes each worker as long as it took the main thread, and until then
   * batches wait for the workers that have it.
   */
  private announceBuilt(slot: Slot): void {
    slot.builtGen = this.gen;
    if (this.genAnnounced) return;
    const live = this.slots.filter((s): s is Slot => s !== undefined && s.state !== 'gone');
    if (live.length === 0 || live.some((s) => s.builtGen !== this.gen)) return;
    this.genAnnounced = true;
    this.opts.log(`k8s_audit: ${live.length} evaluation worker(s) built the rules in ${((Date.now() - this.genSentAt) / 1000).toFixed(1)} s`);
  }

  private emit(a: AlertData): void {
    try {
      this.opts.onAlert(new PostedAlert(a));
    } catch (err) {
      this.opts.log(`audit worker pool: emitting an alert failed: ${(err as Error).message}`);
    }
  }

  /** A worker whose rules differ from the main thread's: its batches finish, it takes no more, then it is stopped. */
  private giveUp(slot: Slot, why: string): void {
    this.opts.log(why);
    slot.state = 'gone';
    slot.retiring = true;
    const stopWhenIdle = (): void => {
      if (slot.inFlight.size > 0) {
        setTimeout(stopWhenIdle, 50);
        return;
      }
      this.retired.delete(slot);
      void slot.worker.terminate();
    };
    stopWhenIdle();
    this.afterLoss();
  }

  private onExit(slot: Slot, code: number): void {
    slot.state = 'gone';
    this.failInFlight(slot, `the evaluation worker died (${slot.lastError ?? `exit code ${code}`}); retry the request`);
    this.retired.delete(slot);
    if (this.closing) {
      // no restarts while closing: batches waiting for a worker fail now if none is left
      this.afterLoss();
      return;
    }
    if (slot.retiring) return;
    this.crashes++;
    const now = Date.now();
    const recent = slot.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    recent.push(now);
    if (recent.length > MAX_RESTARTS) {
      this.opts.log(`audit worker ${slot.index} died (${slot.lastError ?? `exit code ${code}`}), ${recent.length} times within ${CRASH_WINDOW_MS / 1000}s; not restarting it`);
      this.afterLoss();
      return;
    }
    this.opts.log(`audit worker ${slot.index} died (${slot.lastError ?? `exit code ${code}`}); restarting it`);
    if (this.slots[slot.index] === slot) this.slots[slot.index] = this.start(slot.index, recent);
  }

  private failInFlight(slot: Slot, error: string): void {
    const pending = [...slot.inFlight.values()];
    slot.inFlight.clear();
    for (const p of pending) p.done({ status: 500, error });
    this.checkDrained();
  }

  /** With no worker left, batches waiting for one can only fail. */
  private afterLoss(): void {
    if (this.usable) return;
    for (const w of this.waiting.splice(0)) w.pending.done({ status: 500, error: 'no audit evaluation worker is running' });
    this.checkDrained();
  }

  private dispatchWaiting(): void {
    while (this.waiting.length > 0) {
      const slot = this.leastBusy();
      if (!slot) return;
      const w = this.waiting.shift()!;
      this.send(slot, w.msg, w.pending);
    }
  }

  private checkDrained(): void {
    if (this.drained && this.pendingBatches === 0) this.drained();
  }
}
