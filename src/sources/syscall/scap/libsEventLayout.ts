// The one place Vigil's decoded events become libs' event layout for a
// capture file: `ts u64 | tid u64 | len u32 | type u16 | nparams u32`, then
// nparams u16 lengths, then the parameters (ppm_evt_hdr, packed, LE). Vigil's
// events already use libs' codes and parameter layouts; they are rebuilt here
// from the decoder's view rather than copied, so the probe's own header may
// change without changing what is written. What libs has no room for (the
// probe's cut marks) is left out.
import { type EventView, HEADER_LEN } from '../decode';
import { EVENTS } from '../eventTable';
import { LIBS_EVENTS } from './libsEventTable';

/** bytes the event the view is on takes in libs' layout */
export function libsEventLength(v: EventView): number {
  const n = v.nparams;
  let len = HEADER_LEN + 2 * n;
  for (let i = 0; i < n; i++) len += v.paramLen(i);
  return len;
}

/** Writes the event the view is on at out[at..], `len` bytes (libsEventLength). */
export function writeLibsEvent(v: EventView, out: Buffer, at: number, len: number): void {
  const n = v.nparams;
  out.writeBigUInt64LE(v.ts, at);
  out.writeBigUInt64LE(BigInt(v.tid), at + 8);
  out.writeUInt32LE(len, at + 16);
  out.writeUInt16LE(v.type, at + 20);
  out.writeUInt32LE(n, at + 22);
  let w = at + HEADER_LEN + 2 * n;
  for (let i = 0; i < n; i++) {
    const raw = v.raw(i);
    out.writeUInt16LE(raw.length, at + HEADER_LEN + 2 * i);
    out.set(raw, w);
    w += raw.length;
  }
}

/**
 * Before libs moved every parameter to exit events, its readers took the fd,
 * path or address of close, socket, connect, dup, read... from the enter event;
 * readers of that age (Debian's sysdig 0.29 among them) still do. So each
 * exit whose libs enter carries parameters is written after an enter holding
 * them, taken by name from the exit. Newer readers keep such an enter until
 * its exit and need nothing from it. Exits whose enter the probe itself sends
 * (open family, connect) get none: the real one is already there.
 */
export interface EnterPlan {
  readonly code: number;
  /** per enter parameter: the exit's parameter index, or -1 (left empty) */
  readonly fromExit: Int16Array;
}

/** enter parameters whose exit counterpart has another name */
const EXIT_NAMES: Readonly<Record<string, readonly string[]>> = { fd: ['fd', 'oldfd'] };

const plans: (EnterPlan | null | undefined)[] = [];

export function enterPlan(exitCode: number): EnterPlan | undefined {
  const known = plans[exitCode];
  if (known !== undefined) return known ?? undefined;
  const exit = EVENTS[exitCode];
  const enter = LIBS_EVENTS[exitCode - 1];
  let plan: EnterPlan | null = null;
  if (exit && exit.dir === '<' && enter && enter.dir === 'E' && enter.name === exit.name && enter.params.length > 0 && !EVENTS[exitCode - 1]) {
    const fromExit = new Int16Array(enter.params.length);
    enter.params.forEach((p, i) => {
      let j = -1;
      for (const n of EXIT_NAMES[p] ?? [p]) {
        j = exit.paramIndex.get(n) ?? -1;
        if (j >= 0) break;
      }
      fromExit[i] = j;
    });
    plan = { code: exitCode - 1, fromExit };
  }
  plans[exitCode] = plan;
  return plan ?? undefined;
}

export function enterLength(v: EventView, plan: EnterPlan): number {
  let len = HEADER_LEN + 2 * plan.fromExit.length;
  for (const j of plan.fromExit) if (j >= 0) len += v.paramLen(j);
  return len;
}

/** Writes the enter `plan` makes of the exit the view is on, 1 ns before it. */
export function writeLibsEnter(v: EventView, plan: EnterPlan, out: Buffer, at: number, len: number): void {
  const n = plan.fromExit.length;
  out.writeBigUInt64LE(v.ts - 1n, at);
  out.writeBigUInt64LE(BigInt(v.tid), at + 8);
  out.writeUInt32LE(len, at + 16);
  out.writeUInt16LE(plan.code, at + 20);
  out.writeUInt32LE(n, at + 22);
  let w = at + HEADER_LEN + 2 * n;
  for (let i = 0; i < n; i++) {
    const j = plan.fromExit[i];
    const raw = j >= 0 ? v.raw(j) : EMPTY;
    out.writeUInt16LE(raw.length, at + HEADER_LEN + 2 * i);
    out.set(raw, w);
    w += raw.length;
  }
}

const EMPTY = new Uint8Array(0);
