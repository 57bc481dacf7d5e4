// The facts the addon and this decoder must agree on: the wire layout of
// bpf/vigil_events.h and the probe's syscall specs (bpf/syscall_specs.h),
// which the addon exports as `layout`. The probe is built from C headers and
// the decoder from TypeScript tables; a change to one side alone would decode
// garbage or miss events silently, so a disagreement stops the load instead.
import { HEADER_LEN, MAX_PARAMS } from './decode';
import { EVENTS } from './eventTable';
import { PROCEXIT_SLOT, SYSCALL_NUMBERS, SYSCALL_SLOTS } from './syscallTable';

/** The probe's drop-accounting categories, in the order of enum vg_category. */
export const CATEGORY_NAMES = ['process', 'file', 'net', 'other'] as const;

/** Largest snaplen for data buffers (VG_MAX_SNAPLEN). */
export const MAX_SNAPLEN = 4096;

/** `layout` as native/addon.cc exports it. */
export interface NativeLayout {
  headerLen: number;
  maxParams: number;
  cutMaskLen: number;
  maxSnaplen: number;
  syscallSlots: number;
  procexitSlot: number;
  procexitEvent: number;
  categories: number;
  maxMarks: number;
  /** [x86_64 syscall number, exit event code, parameter count or -1 for a filler of its own] per syscall the probe reports */
  exitSpecs: [number, number, number][];
  /** [syscall number, enter event code, parameter count] per syscall with an enter event */
  enterSpecs: [number, number, number][];
}

/** The cut mask after a truncated event in its ring record (decode.ts reads the marks the addon builds from it). */
const CUT_MASK_LEN = 4;

/** Every way `native` disagrees with this decoder, one line each; empty when they agree. */
export function layoutMismatches(native: NativeLayout): string[] {
  const out: string[] = [];
  const same = (what: string, theirs: unknown, ours: unknown): void => {
    if (theirs !== ours) out.push(`${what}: the addon has ${JSON.stringify(theirs)}, the decoder ${JSON.stringify(ours)}`);
  };
  same('header length (VG_HEADER_LEN)', native.headerLen, HEADER_LEN);
  same('most parameters an event has (VG_MAX_PARAMS)', native.maxParams, MAX_PARAMS);
  same('cut mask length (VG_CUT_MASK_LEN)', native.cutMaskLen, CUT_MASK_LEN);
  same('largest snaplen (VG_MAX_SNAPLEN)', native.maxSnaplen, MAX_SNAPLEN);
  same('syscall slots (VG_SYSCALL_SLOTS)', native.syscallSlots, SYSCALL_SLOTS);
  same('process-exit slot (VG_SLOT_PROCEXIT)', native.procexitSlot, PROCEXIT_SLOT);
  same('process-exit event (VG_PROCEXIT_E)', EVENTS[native.procexitEvent]?.name, 'procexit');
  same('stat categories (VG_CAT_COUNT)', native.categories, CATEGORY_NAMES.length);
  if (!Number.isInteger(native.maxMarks) || native.maxMarks < 1) out.push(`cut marks per batch: the addon has ${JSON.stringify(native.maxMarks)}, need a positive integer`);

  const reported = new Set<number>();
  for (const [nr, code, nparams] of native.exitSpecs ?? []) {
    reported.add(nr);
    const e = EVENTS[code];
    if (!e || e.dir !== '<') {
      out.push(`syscall ${nr}: the probe sends event ${code}, which the decoder ${e ? 'knows as an enter event' : 'does not know'}`);
      continue;
    }
    if (SYSCALL_NUMBERS[e.name] !== nr) out.push(`syscall ${nr}: the probe sends it as ${e.name} (event ${code}), whose number in syscallTable.ts is ${SYSCALL_NUMBERS[e.name] ?? 'missing'}`);
    if (nparams >= 0 && nparams !== e.params.length) out.push(`${e.name} exit (event ${code}): the probe writes ${nparams} parameters, the decoder expects ${e.params.length}`);
  }
  for (const [name, nr] of Object.entries(SYSCALL_NUMBERS)) {
    if (!reported.has(nr)) out.push(`${name} (${nr}): syscallTable.ts lets it be enabled, but the probe has no spec for it`);
  }
  for (const [nr, code, nparams] of native.enterSpecs ?? []) {
    const e = EVENTS[code];
    if (!e || e.dir !== '>') {
      out.push(`syscall ${nr}: the probe sends enter event ${code}, which the decoder ${e ? 'knows as an exit event' : 'does not know'}`);
      continue;
    }
    if (SYSCALL_NUMBERS[e.name] !== nr) out.push(`enter event ${code} (${e.name}): sent for syscall ${nr}, whose number in syscallTable.ts is ${SYSCALL_NUMBERS[e.name] ?? 'missing'}`);
    if (nparams !== e.params.length) out.push(`${e.name} enter (event ${code}): the probe writes ${nparams} parameters, the decoder expects ${e.params.length}`);
  }
  return out;
}
