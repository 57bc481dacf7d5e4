// The typed face of the native addon (native/addon.cc): finds and loads it,
// owns the options and their defaults, and turns native failures into a
// CaptureError that says what is missing and how to run without capture.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATEGORY_NAMES, layoutMismatches, MAX_SNAPLEN, type NativeLayout } from './probeLayout';
import { EXIT_TRACEPOINT_NAMES, SYSCALL_NUMBERS, SYSCALL_SLOTS } from './syscallTable';
import { logger } from '../../log';

export { MAX_SNAPLEN };

export interface ProbeOptions {
  /** ring buffer size in bytes: a power of two, at least one page (default 8 MiB) */
  ringBytes?: number;
  /** bytes kept of argv, env and data buffers, 1-4096 (default 256); a longer value is cut, and marked so (see stats().truncated and EventView.truncated) */
  snaplen?: number;
  /** bytes handed to JavaScript per batch (default 64 KiB) */
  batchBytes?: number;
  /**
   * How enter events are hooked: 'auto' (default) uses fentry on the five
   * syscalls' entry functions, else their per-syscall tracepoints, else the
   * sys_enter tracepoint; 'tracepoint' and 'sys_enter' start from that hook
   * (for tests and benchmarks).
   */
  enterHook?: EnterHook;
  /**
   * How syscall exits are hooked: 'auto' (default) attaches the per-syscall
   * exit tracepoints of exactly the enabled syscalls, plus the generic
   * sys_exit hook only for what they miss (ia32 syscalls where the kernel runs
   * them, syscalls the kernel has no tracepoint for); 'sys_exit' reports every
   * exit from the generic hook; 'ia32' is 'auto' with the ia32 part of the
   * generic hook on even where no ia32 code can run (for tests and benchmarks).
   */
  exitHook?: ExitHook;
  /** a probe object to load instead of the one built into the addon (an artifact of npm run probe:build; see probeVariant.ts) */
  objectPath?: string;
  /** a BTF file libbpf relocates the probe against instead of the running kernel's (btf_custom_path): an artifact's minimal BTF */
  btfPath?: string;
}

/** The options a Probe runs with: every default filled in; objectPath and btfPath stay optional. */
export type ProbeSettings = Required<Omit<ProbeOptions, 'objectPath' | 'btfPath'>> & Pick<ProbeOptions, 'objectPath' | 'btfPath'>;

export type ExitHook = 'auto' | 'sys_exit' | 'ia32';

/** How syscall exits are hooked now. */
export interface ExitHooks {
  /** 'tracepoint': one syscalls/sys_exit_<name> tracepoint per enabled syscall; 'sys_exit': the generic hook for every syscall */
  mode: 'tracepoint' | 'sys_exit';
  /** whether the generic hook reports ia32 (32-bit) syscalls */
  ia32: boolean;
  /** why the generic hook is used (for ia32 or for everything) or not */
  why: string;
  /** per-syscall exit tracepoints attached now */
  attached: number;
  /** whether the generic sys_exit program is attached now (it then runs on every syscall, returning at once for those not its own) */
  generic: boolean;
  /**
   * under 'tracepoint': the generic hook reports every exit, because it must run
   * anyway (genericSyscalls, or ia32) and per-syscall tracepoints beside it
   * would only add the kernel's dispatch to every syscall
   */
  allGeneric: boolean;
  /** enabled syscalls the generic hook reports because they have no tracepoint of their own */
  genericSyscalls: string[];
}

export type EnterHook = 'auto' | 'tracepoint' | 'sys_enter';
/** how enter events are hooked right now ('none': no enter-event syscall is enabled) */
export type EnterMode = 'fentry' | 'tracepoint' | 'sys_enter' | 'none';

export const DEFAULT_RING_BYTES = 8 * 1024 * 1024;
export const DEFAULT_SNAPLEN = 256;
/** a batch is the unit between clock checks in capture.ts: 64 KiB is about 1 ms of decoding and rules warm, and some 15 ms while the code is still cold */
export const DEFAULT_BATCH_BYTES = 64 * 1024;

export type CaptureErrorCode = 'NOT_BUILT' | 'LAYOUT_MISMATCH' | 'BAD_PROBE' | 'NOT_ROOT' | 'NO_BTF' | 'KERNEL_TOO_OLD' | 'BPF_NOT_PERMITTED' | 'LOAD_FAILED' | 'BAD_OPTION';

const HOW_TO_SKIP = 'run the agent with --disable-source syscall to go on without syscall capture';

export class CaptureError extends Error {
  constructor(
    readonly code: CaptureErrorCode,
    message: string,
    /** libbpf's and the verifier's messages, when the native load failed */
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** Per-category kernel counters. */
export interface ProbeCounters {
  seen: number;
  dropped: number;
  /** parameters (strings, paths, argv, env, data) the probe cut at their bound, in the events seen */
  truncated: number;
  /** ia32 (32-bit, int $0x80) syscalls of this category the probe does not decode, only counts (bpf/syscall_ia32.h) */
  ia32_unhandled: number;
}
export interface ProbeStats {
  process: ProbeCounters;
  file: ProbeCounters;
  net: ProbeCounters;
  other: ProbeCounters;
  total: ProbeCounters;
}

/** Kernel-side cost of the probe's programs, counted once enableRunStats() was called. */
export interface ProbeRunStats {
  /** the syscall-exit programs: the per-syscall tracepoint one (runs for the enabled syscalls only) and the generic one (every syscall while attached) */
  sysExit: { runs: number; ns: number };
  /** exec, fork and exit hooks together */
  process: { runs: number; ns: number };
  /** the enter programs (open, openat, openat2, creat, connect): fentry and tracepoint ones run on their syscall only, the sys_enter fallback on every syscall while attached */
  sysEnter: { runs: number; ns: number };
}

interface NativeProbe {
  readonly buffer: ArrayBuffer;
  readonly marks: ArrayBuffer;
  setEnabled(slots: Uint8Array): void;
  drain(): number;
  watch(onReady: () => void): void;
  arm(): void;
  stats(): Float64Array;
  enterAttached(): boolean;
  enterMode(): EnterMode;
  enterFallback(): string;
  exitHooks(): Omit<ExitHooks, 'genericSyscalls'> & { genericSyscalls: number[] };
  enableRunStats(): void;
  runStats(): Float64Array;
  close(): void;
}
interface NativeAddon {
  Probe: new (o: ProbeSettings & { exitTracepoints: readonly string[] }) => NativeProbe;
  layout: NativeLayout;
}

/** where cmake-js puts the addon, from src/ or dist/ alike */
export const ADDON_PATH = path.resolve(__dirname, '../../../build/Release/vigil_addon.node');

function loadAddon(): NativeAddon {
  if (!fs.existsSync(ADDON_PATH)) {
    throw new CaptureError('NOT_BUILT', `syscall capture is not built (${ADDON_PATH} is missing): run 'sh scripts/setup-native.sh' as root, or ${HOW_TO_SKIP}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addon = require(ADDON_PATH) as NativeAddon;
  const bad = layoutMismatches(addon.layout ?? ({} as NativeLayout));
  if (bad.length > 0) {
    throw new CaptureError('LAYOUT_MISMATCH', `the built probe and addon (${ADDON_PATH}) disagree with this TypeScript decoder, which would misread their events: ${bad.join('; ')}. Rebuild them from the same checkout (sh scripts/setup-native.sh)`);
  }
  return addon;
}

function checkOptions(o: ProbeOptions): ProbeSettings {
  const ringBytes = o.ringBytes ?? DEFAULT_RING_BYTES;
  const snaplen = o.snaplen ?? DEFAULT_SNAPLEN;
  const batchBytes = o.batchBytes ?? DEFAULT_BATCH_BYTES;
  const enterHook = o.enterHook ?? 'auto';
  const exitHook = o.exitHook ?? 'auto';
  const page = 4096;
  if (!Number.isInteger(ringBytes) || ringBytes < page || ringBytes > 2 ** 30 || (ringBytes & (ringBytes - 1)) !== 0) {
    throw new CaptureError('BAD_OPTION', `ringBytes must be a power of two between ${page} and 2^30, got ${ringBytes}`);
  }
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_SNAPLEN) {
    throw new CaptureError('BAD_OPTION', `snaplen must be an integer from 1 to ${MAX_SNAPLEN}, got ${snaplen}`);
  }
  if (!Number.isInteger(batchBytes) || batchBytes < 4096 || batchBytes > 2 ** 28) {
    throw new CaptureError('BAD_OPTION', `batchBytes must be an integer from 4096 to 2^28, got ${batchBytes}`);
  }
  if (enterHook !== 'auto' && enterHook !== 'tracepoint' && enterHook !== 'sys_enter') {
    throw new CaptureError('BAD_OPTION', `enterHook must be 'auto', 'tracepoint' or 'sys_enter', got ${JSON.stringify(enterHook)}`);
  }
  if (exitHook !== 'auto' && exitHook !== 'sys_exit' && exitHook !== 'ia32') {
    throw new CaptureError('BAD_OPTION', `exitHook must be 'auto', 'sys_exit' or 'ia32', got ${JSON.stringify(exitHook)}`);
  }
  for (const [name, file] of [['objectPath', o.objectPath], ['btfPath', o.btfPath]] as const) {
    if (file !== undefined && !fs.existsSync(file)) throw new CaptureError('BAD_PROBE', `${name} ${file}: no such file`);
  }
  return { ringBytes, snaplen, batchBytes, enterHook, exitHook, objectPath: o.objectPath, btfPath: o.btfPath };
}

function kernelVersion(): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(os.release());
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** Name what is missing, from what the machine looks like and what failed. */
function explain(e: Error & { step?: string; errno?: number; log?: string }): CaptureError {
  const step = e.step ?? 'load';
  const errno = e.errno ?? 0;
  const [major, minor] = kernelVersion();
  const euid = process.geteuid ? process.geteuid() : 0;
  if ((errno === 1 || errno === 13) && euid !== 0) {
    return new CaptureError('NOT_ROOT', `syscall capture needs root (or CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE) to load its eBPF probe; running as uid ${euid}: ${HOW_TO_SKIP}`, e.log);
  }
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    return new CaptureError('NO_BTF', `syscall capture needs kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF=y), which this kernel lacks: ${HOW_TO_SKIP}`, e.log);
  }
  if (major < 5 || (major === 5 && minor < 8)) {
    return new CaptureError('KERNEL_TOO_OLD', `syscall capture needs Linux 5.8 or newer (BPF ring buffer, BTF tracepoints); this is ${os.release()}: ${HOW_TO_SKIP}`, e.log);
  }
  if (errno === 1 || errno === 13) {
    return new CaptureError('BPF_NOT_PERMITTED', `the kernel refused to ${step} the eBPF probe although running as root (${e.message}); check kernel lockdown, seccomp or a container without CAP_BPF: ${HOW_TO_SKIP}`, e.log);
  }
  return new CaptureError('LOAD_FAILED', `syscall capture could not ${step} its eBPF probe: ${e.message}: ${HOW_TO_SKIP}`, e.log);
}

const NAME_OF_NUMBER = new Map(Object.entries(SYSCALL_NUMBERS).map(([name, nr]) => [nr, name]));

// the fallback's cost is said once per process, not per probe
let fallbackLogged = false;

/** A loaded and attached probe. Nothing is reported until setSlots() enables syscalls. */
export class Probe {
  private native: NativeProbe | undefined;
  readonly options: ProbeSettings;

  constructor(options: ProbeOptions = {}) {
    this.options = checkOptions(options);
    const addon = loadAddon();
    try {
      this.native = new addon.Probe({ ...this.options, exitTracepoints: EXIT_TRACEPOINT_NAMES });
    } catch (e) {
      throw explain(e as Error);
    }
    // decode.ts walks the marks by their count: the buffer must hold the most a batch can have
    const marks = this.native.marks.byteLength / 4;
    if (marks !== 1 + 2 * addon.layout.maxMarks) {
      this.close();
      throw new CaptureError('LAYOUT_MISMATCH', `the addon's marks buffer holds ${marks} u32s, not 1 + 2 x ${addon.layout.maxMarks} (maxMarks): rebuild it (sh scripts/setup-native.sh)`);
    }
  }

  /** the batch buffer drain() fills; valid until the next drain() */
  get buffer(): ArrayBuffer {
    return this.live().buffer;
  }

  /**
   * The cut marks drain() fills beside the batch, as u32s: a count, then per
   * event the probe cut (in batch order) its byte offset in the batch and a
   * mask with bit i set when parameter i was cut. See EventView.useMarks().
   */
  get marks(): ArrayBuffer {
    return this.live().marks;
  }

  setSlots(slots: Uint8Array): void {
    if (slots.length !== SYSCALL_SLOTS) throw new RangeError(`need ${SYSCALL_SLOTS} slots, got ${slots.length}`);
    const n = this.live();
    n.setEnabled(slots);
    if (!fallbackLogged && this.options.enterHook !== 'sys_enter' && n.enterMode() === 'sys_enter') {
      fallbackLogged = true;
      logger.warning(`vigil: enter events of open/openat/openat2/creat/connect use the sys_enter tracepoint, which runs on every syscall of every process: ${n.enterFallback()}`);
    }
  }

  /** copy ready events into the batch buffer; returns the bytes copied (0: none ready) */
  drain(): number {
    return this.live().drain();
  }

  /** call onReady on the JS thread whenever events are ready; call arm() after draining */
  watch(onReady: () => void): void {
    this.live().watch(onReady);
  }

  arm(): void {
    this.native?.arm();
  }

  stats(): ProbeStats {
    const raw = this.live().stats();
    const out = { total: { seen: 0, dropped: 0, truncated: 0, ia32_unhandled: 0 } } as ProbeStats;
    CATEGORY_NAMES.forEach((name, i) => {
      const c = { seen: raw[4 * i], dropped: raw[4 * i + 1], truncated: raw[4 * i + 2], ia32_unhandled: raw[4 * i + 3] };
      out[name] = c;
      out.total.seen += c.seen;
      out.total.dropped += c.dropped;
      out.total.truncated += c.truncated;
      out.total.ia32_unhandled += c.ia32_unhandled;
    });
    return out;
  }

  /**
   * Have the kernel count runs and run time of the probe's programs until the
   * probe is closed (BPF_ENABLE_STATS; costs two clock reads per run).
   * For benchmarks and profiling.
   */
  enableRunStats(): void {
    this.live().enableRunStats();
  }

  runStats(): ProbeRunStats {
    const r = this.live().runStats();
    return { sysExit: { runs: r[0], ns: r[1] }, process: { runs: r[2], ns: r[3] }, sysEnter: { runs: r[4], ns: r[5] } };
  }

  /**
   * Whether an enter program is attached: only while setSlots() enabled
   * open, openat, openat2, creat or connect, so other captures pay nothing for it.
   */
  get enterAttached(): boolean {
    return this.live().enterAttached();
  }

  /**
   * How enter events are hooked now: 'fentry' or 'tracepoint' (only the
   * enabled ones of the five syscalls run a program), 'sys_enter' (the last
   * resort, which runs on every syscall) or 'none'.
   */
  get enterMode(): EnterMode {
    return this.live().enterMode();
  }

  /** how syscall exits are hooked now, and why */
  get exitHooks(): ExitHooks {
    const h = this.live().exitHooks();
    return { ...h, genericSyscalls: h.genericSyscalls.map((nr) => NAME_OF_NUMBER.get(nr) ?? String(nr)) };
  }

  /**
   * One line for the agent's start: which hooks the probe runs on and why,
   * so the cost a host pays is never a guess.
   */
  describeHooks(): string {
    const x = this.exitHooks;
    const enter = this.enterMode;
    const parts: string[] = [];
    if (x.mode === 'tracepoint' && x.allGeneric) {
      const needs = [...(x.genericSyscalls.length > 0 ? [`${x.genericSyscalls.join(', ')} (this kernel has no tracepoint for them)`] : []), ...(x.ia32 ? ['ia32 syscalls'] : [])];
      parts.push(`every exit through the generic sys_exit hook: it must run for ${needs.join(' and ')}, and per-syscall tracepoints beside it would only add to every syscall's cost`);
      if (!x.ia32) parts.push(`no generic sys_exit hook for ia32 syscalls (${x.why})`);
    } else if (x.mode === 'tracepoint') {
      parts.push(`exits through ${x.attached} per-syscall tracepoint${x.attached === 1 ? '' : 's'}`);
      parts.push(x.ia32 ? `ia32 syscalls through the generic sys_exit hook (${x.why})` : `no generic sys_exit hook for ia32 syscalls (${x.why})`);
    } else {
      parts.push(`every exit through the generic sys_exit hook, which runs on every syscall (${x.why})`);
    }
    const enterWhy = this.enterFallback;
    parts.push(enter === 'none' ? 'no enter hook (no open/openat/openat2/creat/connect enabled)' : `enters through ${enter}${enterWhy ? ` (${enterWhy})` : ''}`);
    return parts.join('; ');
  }

  /** why enter events are not hooked by fentry (under sys_enter: nor by the per-syscall tracepoints), or '' under fentry */
  get enterFallback(): string {
    return this.live().enterFallback();
  }

  get closed(): boolean {
    return this.native === undefined;
  }

  /** detach and free; safe to call more than once */
  close(): void {
    const n = this.native;
    this.native = undefined;
    n?.close();
  }

  private live(): NativeProbe {
    if (!this.native) throw new Error('the syscall probe is closed');
    return this.native;
  }
}
