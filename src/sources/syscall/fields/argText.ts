// A parameter as libsinsp renders it. Each has a value text (fds, flags,
// errors, pids and ids as numbers, in the print format of libs' event table)
// and may resolve to a second text: an fd to its type and name (`<f>/etc/passwd`),
// flags and errors to their names, a pid to its command, an id to the user or
// group name, a relative path to an absolute one. evt.args writes
// `name=value(resolved)`; evt.arg gives the resolved text when there is one.
// evt.rawarg is the number itself, or the text of string parameters.
import type { EventView } from '../decode';
import { EVENTS } from '../eventTable';
import { FD_TYPECHAR, type FdInfo } from '../state/fdInfo';
import type { SyscallEvent } from '../state/syscallEvent';
import {
  BPF_COMMANDS, type bitsNames, cachedBitsNames, CLONE_FLAGS, CREAT_FLAGS, errnoText, EXECVE_FLAGS, familyText, FCHOWNAT_FLAGS, FINIT_MODULE_FLAGS, LINKAT_FLAGS,
  MEMFD_FLAGS, modeNames, MOUNT_FLAGS, OPEN_FLAGS, PRCTL_OPTIONS, PTRACE_REQUESTS, RENAMEAT2_FLAGS, RESOLVE_FLAGS, signalText, UMOUNT_FLAGS,
  UNLINKAT_FLAGS,
} from './flagNames';
import { resolvedPathArg } from './pathArg';

type Bits = Parameters<typeof bitsNames>[1];

/** libs' flag table of each flags parameter, by `event.param` (its event table) */
const FLAG_TABLES: Readonly<Record<string, Bits>> = {
  'open.flags': OPEN_FLAGS, 'openat.flags': OPEN_FLAGS, 'openat2.flags': OPEN_FLAGS, 'socket.flags': OPEN_FLAGS, 'dup3.flags': OPEN_FLAGS,
  'pipe2.flags': OPEN_FLAGS, 'openat2.resolve': RESOLVE_FLAGS, 'creat.creat_flags': CREAT_FLAGS,
  'clone.flags': CLONE_FLAGS, 'clone3.flags': CLONE_FLAGS, 'fork.flags': CLONE_FLAGS, 'vfork.flags': CLONE_FLAGS, 'unshare.flags': CLONE_FLAGS,
  'setns.nstype': CLONE_FLAGS, 'execve.flags': EXECVE_FLAGS, 'execveat.flags': EXECVE_FLAGS, 'mount.flags': MOUNT_FLAGS,
  'umount2.flags': UMOUNT_FLAGS, 'unlinkat.flags': UNLINKAT_FLAGS, 'linkat.flags': LINKAT_FLAGS, 'fchownat.flags': FCHOWNAT_FLAGS,
  'renameat2.flags': RENAMEAT2_FLAGS, 'memfd_create.flags': MEMFD_FLAGS, 'finit_module.flags': FINIT_MODULE_FLAGS,
};

/** enum parameters (libs' PT_ENUMFLAGS*): every name equal to the value */
const ENUMS: Readonly<Record<string, (n: number) => string>> = {
  'socket.domain': familyText,
  'ptrace.request': (n) => PTRACE_REQUESTS[n] ?? '',
  'prctl.option': (n) => PRCTL_OPTIONS.get(n) ?? '',
  'bpf.cmd': (n) => BPF_COMMANDS[n] ?? '',
};

/** numbers libs' event table prints in hex (PF_HEX, as %X) or octal (PF_OCT, as %#o); every other one is decimal */
const PRINT_FORMATS: Readonly<Record<string, 'hex' | 'oct'>> = {
  'open.mode': 'oct', 'openat.mode': 'oct', 'openat2.mode': 'oct', 'creat.mode': 'oct', 'mkdir.mode': 'hex', 'mkdirat.mode': 'hex',
  'chmod.mode': 'oct', 'fchmod.mode': 'oct', 'fchmodat.mode': 'oct',
  'open.dev': 'hex', 'openat.dev': 'hex', 'openat2.dev': 'hex', 'creat.dev': 'hex', 'accept4.flags': 'hex', 'ptrace.addr': 'hex', 'ptrace.data': 'hex',
  'execve.cap_inheritable': 'hex', 'execve.cap_permitted': 'hex', 'execve.cap_effective': 'hex',
  'execveat.cap_inheritable': 'hex', 'execveat.cap_permitted': 'hex', 'execveat.cap_effective': 'hex',
  'capset.cap_inheritable': 'hex', 'capset.cap_permitted': 'hex', 'capset.cap_effective': 'hex',
};

const DEC = 0;
const HEX = 1;
const OCT = 2;

/** per event code and parameter: its print format, flag table and enum names (looked up once, here) */
const FORMAT_AT: Uint8Array[] = [];
const TABLE_AT: (Bits | undefined)[][] = [];
const ENUM_AT: (((n: number) => string) | undefined)[][] = [];
/** close: its fd is still shown after the tracker took it out of the table, as libs removes it only after the event */
const CLOSE_CODES = new Set<number>();
/** clone-family exits: the index of their comm parameter (-1 for other events) */
const CLONE_COMM_AT = new Int16Array(EVENTS.length).fill(-1);
for (const e of EVENTS) {
  if (!e) continue;
  const key = (p: { name: string }): string => `${e.name}.${p.name}`;
  FORMAT_AT[e.code] = Uint8Array.from(e.params, (p) => {
    const f = PRINT_FORMATS[key(p)];
    return f === 'hex' ? HEX : f === 'oct' ? OCT : DEC;
  });
  TABLE_AT[e.code] = e.params.map((p) => FLAG_TABLES[key(p)]);
  ENUM_AT[e.code] = e.params.map((p) => ENUMS[key(p)]);
  if (e.name === 'close') CLOSE_CODES.add(e.code);
  if (e.dir === '<' && (e.name === 'clone' || e.name === 'clone3' || e.name === 'fork' || e.name === 'vfork')) CLONE_COMM_AT[e.code] = e.paramIndex.get('comm') ?? -1;
}

const UINT32_MAX = 0xffffffff;
const AT_FDCWD = -100;
const ABSTIME_ZERO_PAD = 9;

/**
 * libs' value text of parameter `i`: `<NA>` for an empty one (`NULL` for
 * buffers, tuples and dynamic parameters), undefined when the event has no
 * such parameter.
 */
export function argValue(v: EventView, i: number): string | undefined {
  if (i < 0 || i >= v.nparams) return undefined;
  const p = v.info?.params[i];
  if (!p) return undefined;
  if (v.paramLen(i) === 0) return p.type === 'BYTEBUF' || p.type === 'SOCKTUPLE' || p.type === 'DYN' ? 'NULL' : '<NA>';
  switch (p.type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      return v.str(i);
    case 'BYTEBUF':
      return printable(v.raw(i));
    case 'SOCKADDR': {
      const a = v.sockaddr(i)!;
      return a.path !== undefined ? a.path : a.ip !== undefined ? `${a.ip}:${a.port}` : `family ${a.family}`;
    }
    case 'SOCKTUPLE': {
      const t = v.tuple(i)!;
      if (t.sip !== undefined) return `${t.sip}:${t.sport}->${t.dip}:${t.dport}`;
      if (t.source !== undefined) return `${t.source}->${t.dest} ${t.path ?? ''}`;
      return `family ${t.family}`;
    }
    case 'DYN':
      return dynValue(v, i);
    case 'ABSTIME':
      return absTime(v.bigint(i));
    case 'UID':
    case 'GID':
      // libs prints ids with %d: -1 for the unset id
      return String(v.int(i)! | 0);
    case 'INT64':
    case 'UINT64':
      return FORMAT_AT[v.type][i] === HEX ? hex64(v.bigint(i)) : wide(v, i);
    default: {
      const n = v.int(i);
      if (n === undefined) return '<NA>';
      const f = FORMAT_AT[v.type][i];
      // flags print their number in decimal whatever the table says
      if (p.type.startsWith('FLAGS') || p.type.startsWith('ENUMFLAGS')) return String(n);
      // libs prints 32-bit numbers with %d, unsigned ones too
      if (f === DEC) return p.type === 'UINT32' ? String(n | 0) : String(n);
      return f === HEX ? (n >>> 0).toString(16).toUpperCase() : n === 0 ? '0' : `0${(n >>> 0).toString(8)}`;
    }
  }
}

/** what libs resolves parameter `i` to, or '' when nothing (then evt.arg is the value) */
export function argResolved(e: SyscallEvent, i: number, value: string): string {
  const v = e.view;
  const p = v.info?.params[i];
  if (!p || v.paramLen(i) === 0) return '';
  switch (p.type) {
    case 'FD':
      return fdText(e, v.int(i)!);
    case 'PID': {
      const n = v.int(i)!;
      const t = e.threads.get(n);
      if (t !== undefined) return t.comm;
      // libs makes the child at the caller's exit, from the caller's comm; the tracker waits for the child's own first event
      return i === 0 && n > 0 && CLONE_COMM_AT[v.type] >= 0 ? v.str(CLONE_COMM_AT[v.type]) ?? '' : '';
    }
    case 'UID': {
      const n = v.int(i)!;
      return n === UINT32_MAX ? '<NONE>' : e.users.user(n)?.name || '<NA>';
    }
    case 'GID': {
      const n = v.int(i)!;
      return n === UINT32_MAX ? '<NONE>' : e.users.groupName(n) || '<NA>';
    }
    case 'FSPATH':
    case 'FSRELPATH':
      return resolvedPathArg(e, i, value) ?? '';
    default:
      return argNames(v, i);
  }
}

/** the names of parameter `i` that the event alone gives: flags, enums, modes, errors and signals; '' for others or when none matches */
export function argNames(v: EventView, i: number): string {
  const p = v.info?.params[i];
  if (!p || v.paramLen(i) === 0) return '';
  switch (p.type) {
    case 'ERRNO':
      return errnoText(v.int(i)!);
    case 'SIGTYPE':
      return signalText(v.int(i)!);
    case 'MODE':
      return modeNames(v.int(i)!);
    case 'DYN': {
      // ptrace's data: a signal when its index says so
      const r = v.raw(i);
      return r.length === 2 && r[0] === 1 ? signalText(r[1]) : '';
    }
    case 'FLAGS8':
    case 'FLAGS16':
    case 'FLAGS32': {
      const table = TABLE_AT[v.type][i];
      return table ? cachedBitsNames(v.int(i)!, table) : '';
    }
    case 'ENUMFLAGS8':
    case 'ENUMFLAGS16':
    case 'ENUMFLAGS32': {
      const names = ENUM_AT[v.type][i];
      return names ? names(v.int(i)! >>> 0) : '';
    }
    default:
      return '';
  }
}

/** `name=value(resolved)` for parameter i, as evt.args and --dump-events write it */
export function argPair(e: SyscallEvent, i: number): string {
  const v = e.view;
  const value = argValue(v, i) ?? '<NA>';
  const resolved = argResolved(e, i, value);
  return `${v.info?.params[i]?.name ?? `p${i}`}=${value}${resolved ? `(${resolved})` : ''}`;
}

/** evt.arg: the resolved text, else the value; undefined for an empty or absent parameter */
export function argText(e: SyscallEvent, i: number): string | undefined {
  const v = e.view;
  if (i < 0 || i >= v.nparams || v.paramLen(i) === 0) return undefined;
  const type = v.info?.params[i]?.type;
  if (type === undefined) return undefined;
  // the value text is made only when nothing resolves: rules read evt.arg.flags of every open
  if (type === 'FSPATH' || type === 'FSRELPATH') {
    const path = v.str(i) ?? '';
    return resolvedPathArg(e, i, path) ?? path;
  }
  return argResolved(e, i, '') || argValue(v, i);
}

/** evt.rawarg: numbers as numbers, text as text */
export function paramRaw(v: EventView, i: number): string | number | undefined {
  if (i < 0 || v.paramLen(i) === 0) return undefined;
  const p = v.info?.params[i];
  if (!p) return undefined;
  switch (p.type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
    case 'BYTEBUF':
    case 'SOCKADDR':
    case 'SOCKTUPLE':
      return argValue(v, i);
    default:
      return v.int(i);
  }
}

/** an fd as libs resolves it: `<type char and transport>name` from the fd table, AT_FDCWD, or the error */
function fdText(e: SyscallEvent, fd: number): string {
  if (fd < 0) return fd === AT_FDCWD ? 'AT_FDCWD' : errnoText(fd);
  const t = e.thread;
  if (t === undefined) return '';
  let f: FdInfo | undefined = t.fds.get(fd);
  if (f === undefined && fd === e.fdNum && CLOSE_CODES.has(e.view.type)) f = e.fd;
  if (f === undefined) return '';
  return `<${FD_TYPECHAR[f.type]}${f.type === 'ipv4' || f.type === 'ipv6' ? transportChar(f.l4proto) : ''}>${f.name}`;
}

function transportChar(l4proto: string | undefined): string {
  return l4proto === 'tcp' ? 't' : l4proto === 'udp' ? 'u' : l4proto === 'icmp' ? 'i' : l4proto === 'raw' ? 'r' : '';
}

/** a data buffer as libs prints it by default: printable ASCII kept, every other byte a dot */
function printable(r: Uint8Array): string {
  return Buffer.from(r.buffer, r.byteOffset, r.length).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
}

/** an 8-byte number in full (above 2^53 as well) */
function wide(v: EventView, i: number): string {
  const n = v.int(i);
  if (n !== undefined && Number.isSafeInteger(n)) return String(n);
  const b = v.bigint(i);
  return b === undefined ? String(n ?? '<NA>') : b.toString();
}

function hex64(b: bigint | undefined): string {
  return b === undefined ? '<NA>' : BigInt.asUintN(64, b).toString(16).toUpperCase();
}

/** ptrace's addr and data: an index byte, then a 64-bit value (printed in hex) or a signal number */
function dynValue(v: EventView, i: number): string {
  const r = v.raw(i);
  if (r[0] === 0 && r.length === 9) return hex64(Buffer.from(r.buffer, r.byteOffset, r.length).readBigUInt64LE(1));
  if (r[0] === 1 && r.length === 2) return String(r[1]);
  return 'INVALID DYNAMIC PARAMETER';
}

/** PT_ABSTIME as libs prints it: local `YYYY-MM-DD HH:MM:SS.nnnnnnnnn +hhmm` */
function absTime(ns: bigint | undefined): string {
  if (ns === undefined) return '<NA>';
  const u = BigInt.asUintN(64, ns);
  const d = new Date(Number(u / 1_000_000_000n) * 1000);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = `${off < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  const frac = String(u % 1_000_000_000n).padStart(ABSTIME_ZERO_PAD, '0');
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${frac} ${zone}`;
}
