// Live syscall capture for the agent: a probe plus the loop that drains it
// into batches without blocking the event loop. Each batch is decoded in place
// through one reused EventView; onBatch must finish with it before returning.
import { EventView } from './decode';
import { DEFAULT_RING_BYTES, Probe, ProbeOptions, ProbeStats } from './probe';
import { chooseProbe, type ProbeChoice } from './probeVariant';
import { slotsFor } from './syscallTable';

export interface CaptureOptions extends ProbeOptions {
  /** syscall names to report (see CAPTURABLE), or 'all' */
  syscalls: Iterable<string> | 'all';
  /** a probe artifact (npm run probe:build) to load, as --probe gives it; without it and without objectPath, the probe is chosen for the running kernel */
  probe?: string;
}

export interface CaptureStats extends ProbeStats {
  /** batches and bytes handed to onBatch */
  batches: number;
  bytes: number;
}

/** Called per batch: `length` bytes of events at the start of view's buffer. */
export type BatchHandler = (view: EventView, length: number) => void;

export interface Capture {
  readonly probe: Probe;
  /** which probe was loaded and why; undefined when the caller named its object (objectPath) */
  readonly choice: ProbeChoice | undefined;
  setSyscalls(names: Iterable<string> | 'all'): void;
  stats(): CaptureStats;
  /**
   * Drains what is ready now, synchronously, up to one ring's worth of bytes
   * (all that can have been waiting when it was called), so that a producer
   * outrunning the agent cannot keep it here; returns the bytes handed over.
   */
  drainNow(): number;
  stop(): void;
}

/**
 * Time one turn of the event loop may spend on captured events before it
 * yields to the other work on this thread (the audit webserver's sockets and
 * answers, timers). The check falls between batches, so a turn can run over
 * by one batch (probe.ts DEFAULT_BATCH_BYTES). A byte budget of 8 MiB used
 * to stand here: under load from both sources, a turn took up to 340 ms and
 * /healthz waited for it (bench:sources).
 */
export const TURN_BUDGET_MS = 5;
/**
 * While a backlog outlasts a turn, each next turn gets twice the time, up to
 * this. Of the two sources, only this one loses events when it falls behind
 * (the ring overflows); the webserver slows its clients down instead. With
 * audit evaluation on this thread (webserver.threadiness -1) and both under
 * load, a fixed 5 ms dropped 480k of 1.25M syscall events in 5 s.
 */
export const MAX_TURN_BUDGET_MS = 50;

export function startCapture(opts: CaptureOptions, onBatch: BatchHandler): Capture {
  const slots = slotsFor(opts.syscalls);
  // refuses a kernel that lacks what the probe needs before anything loads
  const choice = opts.objectPath ? undefined : chooseProbe({ probe: opts.probe });
  const probe = new Probe({ ...opts, objectPath: opts.objectPath ?? choice?.objectPath, btfPath: opts.btfPath ?? choice?.btfPath });
  const view = new EventView(probe.buffer);
  view.useMarks(new Uint32Array(probe.marks));
  let batches = 0;
  let bytes = 0;
  let stopped = false;
  let pending: NodeJS.Immediate | undefined;

  /**
   * Drains until the ring is empty, `deadline` (performance.now()) has passed
   * or `maxBytes` are handed over; `more`: events may still be waiting.
   */
  const drainUntil = (deadline: number, maxBytes = Infinity): { total: number; more: boolean } => {
    let total = 0;
    while (!stopped) {
      const n = probe.drain();
      if (n === 0) return { total, more: false };
      batches++;
      bytes += n;
      total += n;
      onBatch(view, n);
      if (performance.now() >= deadline || total >= maxBytes) return { total, more: true };
    }
    return { total, more: false };
  };
  const ringBytes = opts.ringBytes ?? DEFAULT_RING_BYTES;

  let turnBudgetMs = TURN_BUDGET_MS;
  // woken by the addon's watcher thread; keep going in later turns while busy
  const onReady = (): void => {
    pending = undefined;
    if (stopped) return;
    const { more } = drainUntil(performance.now() + turnBudgetMs);
    if (stopped) return;
    if (more) {
      turnBudgetMs = Math.min(MAX_TURN_BUDGET_MS, turnBudgetMs * 2);
      pending = setImmediate(onReady);
    } else {
      turnBudgetMs = TURN_BUDGET_MS;
      probe.arm();
    }
  };

  try {
    probe.setSlots(slots);
    probe.watch(onReady);
  } catch (e) {
    probe.close();
    throw e;
  }
  const onExit = (): void => capture.stop();
  process.once('exit', onExit);

  const capture: Capture = {
    probe,
    choice,
    setSyscalls(names) {
      probe.setSlots(slotsFor(names));
    },
    stats() {
      return { ...probe.stats(), batches, bytes };
    },
    drainNow() {
      return drainUntil(Infinity, ringBytes).total;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (pending) clearImmediate(pending);
      process.removeListener('exit', onExit);
      probe.close();
    },
  };
  return capture;
}
