// The shape of every channel whose destination may be slow (a socket, a
// program, a server): alerts wait in a bounded queue and are delivered in the
// background by `deliver`, at most `concurrency` deliveries at once. Detection
// only ever pushes; a full queue drops the alert, counted and logged.
//
// output_timeout (Falco's) is a watchdog: a delivery still running after it is
// counted and logged, and goes on (Falco does not discard on timeout either).
import { AlertQueue } from './alertQueue';
import { type Channel, ChannelStats, type OutputRecord } from './channel';
import { DropLog } from './dropLog';

export interface QueueOptions {
  /** most alerts held (waiting and being delivered) */
  capacity: number;
  /** output_timeout, ms */
  timeoutMs: number;
  log: (msg: string) => void;
}

/** A delivery that got part of its batch through: `delivered` of its alerts went out, the others failed. */
export class PartialDelivery extends Error {
  constructor(
    readonly delivered: number,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
}

interface Delivery {
  started: number;
  size: number;
  /** counted as a timeout already */
  late: boolean;
  /** given up at close: its outcome is no longer counted */
  abandoned: boolean;
}

/** `T`: what the queue holds of an alert, the record itself unless the channel keeps less (keep). */
export abstract class QueuedChannel<T = OutputRecord> implements Channel {
  abstract readonly name: string;
  readonly stats = new ChannelStats();
  protected readonly log: (msg: string) => void;
  private readonly queue: AlertQueue<T>;
  private readonly running = new Set<Delivery>();
  private inflightRecords = 0;
  private scheduled = false;
  private closing = false;
  private watchdog: NodeJS.Timeout | undefined;
  private nextTimeoutLog = 1;
  private idle: (() => void) | undefined;
  private dropLog: DropLog | undefined;

  /** most deliveries under way at once */
  protected concurrency = 1;
  /** most alerts one delivery carries */
  protected maxBatch = 1;

  constructor(protected readonly queueOptions: QueueOptions) {
    this.log = queueOptions.log;
    this.queue = new AlertQueue<T>(queueOptions.capacity);
  }

  /**
   * Delivers a batch. Resolves with nothing when all of it went out, or with
   * the number delivered when the channel counted the others itself; rejects
   * when none will go out (PartialDelivery: only that many did).
   */
  protected abstract deliver(batch: T[]): Promise<number | void>;
  /**
   * What waits in the queue for an alert taken. Queued alerts outlive young
   * garbage collections, which copy each object they hold: a channel that
   * needs only the line can keep a smaller form.
   */
  protected keep(record: OutputRecord): T {
    return record as unknown as T;
  }

  /** releases sockets and processes once the queue is done (or given up) */
  protected abstract shutdown(): Promise<void> | void;
  /** shutdown did not finish by the exit deadline: let go of whatever still holds the process */
  protected abort(): void {}

  reopen(): void {}

  flush(): void {}

  get queued(): number {
    return this.queue.length + this.inflightRecords;
  }

  protected get drops(): DropLog {
    this.dropLog ??= new DropLog(this.name, this.stats, this.log);
    return this.dropLog;
  }

  send(record: OutputRecord): void {
    if (this.closing) {
      this.drops.drop('shutdown', 1);
      return;
    }
    if (this.queue.length + this.inflightRecords >= this.queue.capacity || !this.queue.push(this.keep(record))) {
      this.drops.drop('queue_full', 1);
      return;
    }
    if (!this.scheduled) {
      // deliveries start after the current turn's evaluation, so a burst goes out in batches
      this.scheduled = true;
      queueMicrotask(() => this.pump());
    }
  }

  private pump(): void {
    this.scheduled = false;
    while (this.running.size < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.take(this.maxBatch);
      const d: Delivery = { started: Date.now(), size: batch.length, late: false, abandoned: false };
      this.running.add(d);
      this.inflightRecords += batch.length;
      this.armWatchdog();
      let p: Promise<number | void>;
      try {
        p = this.deliver(batch);
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(
        (delivered) => {
          if (!d.abandoned) this.stats.sent += delivered ?? d.size;
        },
        (e: unknown) => {
          if (d.abandoned) return;
          const delivered = e instanceof PartialDelivery ? e.delivered : 0;
          this.stats.sent += delivered;
          if (d.size > delivered) this.drops.drop('failed', d.size - delivered, (e as Error)?.message ?? String(e));
        },
      ).finally(() => {
        this.running.delete(d);
        if (!d.abandoned) this.inflightRecords -= d.size;
        if (this.queue.length > 0) this.pump();
        else if (this.running.size === 0) this.idle?.();
      });
    }
  }

  private armWatchdog(): void {
    if (this.watchdog) return;
    const period = Math.max(10, Math.min(1000, this.queueOptions.timeoutMs / 4));
    this.watchdog = setInterval(() => {
      if (this.running.size === 0) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
        return;
      }
      const now = Date.now();
      for (const d of this.running) {
        if (d.late || now - d.started < this.queueOptions.timeoutMs) continue;
        d.late = true;
        this.stats.timeouts++;
        if (this.stats.timeouts >= this.nextTimeoutLog) {
          while (this.nextTimeoutLog <= this.stats.timeouts) this.nextTimeoutLog *= 10;
          this.log(`${this.name} output: a delivery took longer than output_timeout (${this.queueOptions.timeoutMs} ms); ${this.stats.timeouts} so far, ${this.queued} alert(s) waiting`);
        }
      }
    }, period);
    this.watchdog.unref();
  }

  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.closing = true;
    if (this.queue.length > 0 && !this.scheduled) this.pump();
    if (this.queue.length > 0 || this.running.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.idle = undefined;
    }
    const left = this.queue.clear();
    let abandoned = 0;
    for (const d of this.running) {
      d.abandoned = true;
      abandoned += d.size;
    }
    this.inflightRecords = 0;
    if (left + abandoned > 0) this.drops.drop('shutdown', left + abandoned);
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    // a program that ignores end of input, a server that never answers: exit waits only until the deadline
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      Promise.resolve(this.shutdown()).then(
        () => true,
        (e: unknown) => {
          this.log(`${this.name} output: closing failed: ${(e as Error)?.message ?? String(e)}`);
          return true;
        },
      ),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), Math.max(0, deadline - Date.now())))),
    ]);
    clearTimeout(timer);
    if (!done) this.abort();
  }
}
