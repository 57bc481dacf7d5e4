// libs' whole event table (libsEvents.ts, generated) in the shape the capture
// file reader asks it: by code, the name, direction, flags and parameter
// names and types. Vigil's own eventTable.ts holds only what the probe sends;
// a capture written by sysdig or Falco may hold any of these codes.
import { LIBS_EVENT_ROWS } from './libsEvents';

export const EF_OLD_VERSION = 1;
export const EF_DROP_SIMPLE_CONS = 2;
export const EF_LARGE_PAYLOAD = 4;
export const EF_UNUSED = 8;

export interface LibsEvent {
  readonly code: number;
  readonly symbol: string;
  readonly name: string;
  readonly dir: 'E' | 'X';
  readonly flags: number;
  readonly params: readonly string[];
  readonly types: readonly string[];
}

export const LIBS_EVENTS: readonly (LibsEvent | undefined)[] = (() => {
  const out: (LibsEvent | undefined)[] = [];
  for (const [code, symbol, name, dir, flags, spec] of LIBS_EVENT_ROWS) {
    const pairs = spec === '' ? [] : spec.split(',').map((p) => p.split(':'));
    out[code] = { code, symbol, name, dir, flags, params: pairs.map((p) => p[0]), types: pairs.map((p) => p[1]) };
  }
  return out;
})();

export function libsEvent(code: number): LibsEvent | undefined {
  return LIBS_EVENTS[code];
}
