// evt.*: the event itself, its parameters and its time.
import os from 'node:os';
import type { FieldDef } from '../../../engine/source';
import { clockTime, rfc3339 } from '../../../timeFormat';
import type { EventView } from '../decode';
import { EVENT_TYPE_NAMES, EVENTS } from '../eventTable';
import type { SyscallEvent } from '../state/syscallEvent';
import { argPair, argText, paramRaw } from './argText';
import { errnoName, PPM_O_CREAT, PPM_O_RDONLY, PPM_O_TMPFILE, PPM_O_WRONLY } from './flagNames';
import { keyed, plain } from './fieldKinds';

type E = SyscallEvent;

const S_IXANY = 0o111;
// local copies: read per event, and a module's exports may be accessors
const O_RDONLY = PPM_O_RDONLY;
const O_WRONLY = PPM_O_WRONLY;
const O_CREAT_OR_TMPFILE = PPM_O_CREAT | PPM_O_TMPFILE;
// creat(2) is open(O_CREAT|O_WRONLY|O_TRUNC)
const CREAT_FLAGS = PPM_O_WRONLY | PPM_O_CREAT | (1 << 8);

/** per event code: 1 open-family with a flags parameter (at FLAGS_AT), 2 creat, 0 other */
const OPEN_KIND = new Uint8Array(EVENTS.length);
const FLAGS_AT = new Int16Array(EVENTS.length).fill(-1);
const MODE_AT = new Int16Array(EVENTS.length).fill(-1);
for (const e of EVENTS) {
  if (!e) continue;
  // as libs: only the exits say how a file was opened
  const exit = e.dir === '<';
  if (exit && (e.name === 'open' || e.name === 'openat' || e.name === 'openat2')) OPEN_KIND[e.code] = 1;
  else if (exit && e.name === 'creat') OPEN_KIND[e.code] = 2;
  FLAGS_AT[e.code] = e.paramIndex.get('flags') ?? -1;
  MODE_AT[e.code] = e.paramIndex.get('mode') ?? -1;
}

/** the event's result: the first parameter of an exit event (res or the new fd) */
function res(v: EventView): number | undefined {
  return v.info?.dir === '<' ? v.int(0) : undefined;
}

/** open flags (PPM_O_*) of an open-family event, or undefined for other events */
function openFlags(v: EventView): number | undefined {
  if (v.info === undefined) return undefined;
  const code = v.type;
  const kind = OPEN_KIND[code];
  return kind === 1 ? v.int(FLAGS_AT[code]) : kind === 2 ? CREAT_FLAGS : undefined;
}

function category(v: EventView): string | undefined {
  const info = v.info;
  if (!info) return undefined;
  if (info.category !== 'io') return info.category;
  return info.name === 'sendto' || info.name === 'recvfrom' ? 'net' : 'io-other';
}

function pad(n: number, w: number): string {
  return String(n).padStart(w, '0');
}

function localDateTime(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000_000n) * 1000);
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${clockTime(ns)}`;
}

/** every parameter as libs writes them: `name=value`, and `(resolved)` when the value resolves to something */
function allArgs(e: E): string {
  const n = e.view.nparams;
  let s = '';
  for (let i = 0; i < n; i++) s += (i === 0 ? '' : ' ') + argPair(e, i);
  return s;
}

/** a parameter by name or by number (evt.arg[1]); the name is looked up per event code once, here */
function argIndexer(key: string): (v: EventView) => number {
  if (/^\d+$/.test(key)) {
    const n = Number(key);
    return (v) => (n < v.nparams ? n : -1);
  }
  const at = new Int16Array(EVENTS.length).fill(-1);
  for (const e of EVENTS) if (e) at[e.code] = e.paramIndex.get(key) ?? -1;
  return (v) => {
    const i = v.info === undefined ? -1 : at[v.type];
    return i < v.nparams ? i : -1;
  };
}

/** evt.arg of the current event, made once per event and parameter however many rules read it */
function eventArgText(e: E, i: number): string | undefined {
  if (i < 0) return undefined;
  const cached = e.cachedArgText(i, null);
  if (cached !== null) return cached;
  const text = argText(e, i);
  e.cacheArgText(i, text);
  return text;
}

const HOSTNAME = os.hostname();

export const evtFields: FieldDef<E>[] = [
  plain('evt.type', 'string', `the syscall name, e.g. open (one of: ${EVENT_TYPE_NAMES.join(', ')})`, (e) => e.view.name),
  plain('evt.dir', 'string', "the event's direction: '>' enter, '<' exit", (e) => e.view.info?.dir),
  plain('evt.num', 'int', 'the event number, counting from 1 since the agent started', (e) => e.num),
  plain('evt.time', 'string', 'the event time as HH:MM:SS.nnnnnnnnn (local time)', (e) => clockTime(e.view.ts)),
  plain('evt.time.s', 'string', 'the event time as HH:MM:SS (local time)', (e) => clockTime(e.view.ts).slice(0, 8)),
  plain('evt.time.iso8601', 'string', 'the event time in ISO 8601 (UTC), with nanoseconds', (e) => rfc3339(e.view.ts)),
  plain('evt.datetime', 'string', 'the event date and time as YYYY-MM-DD HH:MM:SS.nnnnnnnnn (local time)', (e) => localDateTime(e.view.ts)),
  plain('evt.datetime.s', 'string', 'the event date and time as YYYY-MM-DD HH:MM:SS (local time)', (e) => localDateTime(e.view.ts).slice(0, 19)),
  plain('evt.rawtime', 'abstime', 'the event time in nanoseconds since the epoch', (e) => e.view.ts),
  plain('evt.rawtime.s', 'int', 'the integer part of the event time in seconds since the epoch', (e) => Number(e.view.ts / 1_000_000_000n)),
  plain('evt.rawtime.ns', 'int', 'the fractional part of the event time in nanoseconds', (e) => Number(e.view.ts % 1_000_000_000n)),
  plain('evt.reltime', 'reltime', 'nanoseconds since the first event the agent saw', (e) => e.view.ts - e.firstTs),
  plain('evt.latency', 'reltime', 'nanoseconds between the enter and exit of the syscall; <NA>: the probe sends exit events only', () => undefined),
  plain('evt.cpu', 'int', 'the CPU the event ran on; <NA>: not carried by the event header', () => undefined),
  plain('evt.args', 'string', 'all parameters as libs writes them: name=value, then what the value resolves to in parentheses (fd=3(<f>/etc/passwd) flags=4097(O_RDONLY|O_CLOEXEC) res=-2(ENOENT))', (e) => allArgs(e)),
  keyed('evt.arg', 'string', 'a parameter as text, resolved as libs resolves it (an fd as <f>/etc/passwd, flags and errors by name, a pid as its command), by name (evt.arg.fd) or number (evt.arg[0])', 'name or number',
    (key) => {
      const at = argIndexer(key);
      return (e) => eventArgText(e, at(e.view));
    }, { dotted: true }),
  keyed('evt.rawarg', 'int', 'a parameter as its raw value (a number; text for string parameters), by name (evt.rawarg.flags)', 'name or number',
    (key) => {
      const at = argIndexer(key);
      return (e) => paramRaw(e.view, at(e.view));
    }, { dotted: true }),
  plain('evt.res', 'string', "the result: SUCCESS, or the error's name (ENOENT) when the syscall failed", (e) => {
    const r = res(e.view);
    return r === undefined ? undefined : r >= 0 ? 'SUCCESS' : errnoName(r);
  }),
  plain('evt.rawres', 'int', 'the result as a number (negative: -errno)', (e) => res(e.view)),
  plain('evt.failed', 'bool', 'true when the syscall returned an error', (e) => {
    const r = res(e.view);
    return r === undefined ? false : r < 0;
  }),
  plain('evt.is_open_read', 'bool', 'true for an open-family event that opened for reading', (e) => {
    const f = openFlags(e.view);
    return f !== undefined && (f & O_RDONLY) !== 0;
  }),
  plain('evt.is_open_write', 'bool', 'true for an open-family event that opened for writing', (e) => {
    const f = openFlags(e.view);
    return f !== undefined && (f & O_WRONLY) !== 0;
  }),
  plain('evt.is_open_exec', 'bool', 'true for an open-family event that created a file with an execute bit', (e) => {
    const v = e.view;
    const f = openFlags(v);
    if (f === undefined || (f & O_CREAT_OR_TMPFILE) === 0) return false;
    return ((v.int(MODE_AT[v.type]) ?? 0) & S_IXANY) !== 0;
  }),
  plain('evt.category', 'string', 'the event category: file, net, process, io-other, ipc, signal, user, memory, other', (e) => category(e.view)),
  plain('evt.source', 'string', 'the event source: syscall', () => 'syscall'),
  plain('evt.hostname', 'string', 'the host name of the machine the agent runs on', () => HOSTNAME),
  // Vigil's own (Falco has no such field): its probe cuts silently
  plain('evt.is_truncated', 'bool', 'true when the probe cut a parameter (string, path, argv, env or data) at its bound (snaplen, or 4096 bytes for paths)', (e) => e.view.isTruncated),
  plain('evt.buffer', 'bytes', 'the data buffer of events that carry one (sendto, recvfrom...), as bytes', (e) => {
    const i = e.view.index('data');
    return i < 0 ? undefined : e.view.raw(i);
  }),
  plain('evt.is_io', 'bool', 'true for events that read or write data (sendto, recvfrom)', (e) => e.view.name === 'sendto' || e.view.name === 'recvfrom'),
  plain('evt.is_io_read', 'bool', 'true for events that read data (recvfrom)', (e) => e.view.name === 'recvfrom'),
  plain('evt.is_io_write', 'bool', 'true for events that write data (sendto)', (e) => e.view.name === 'sendto'),
];
