// Builds scap capture files byte by byte, block by block, as libs lays them
// out (scap_savefile.h / scap_savefile.c), for the reader's tests.
import { LIBS_EVENTS } from '../../../../src/sources/syscall/scap/libsEventTable';

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}
export function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
}
/** u16 length then the text, no NUL (as libs writes proclist strings) */
export function str16(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([u16(b.length), b]);
}
/** NUL-separated list with its u16 length */
export function list16(items: string[]): Buffer {
  return str16(Buffer.from(items.map((s) => `${s}\0`).join('')));
}

/** one block: type, total length, body, padding to 4, total length again */
export function block(type: number, body: Buffer): Buffer {
  const pad = (4 - (body.length % 4)) % 4;
  const total = 12 + body.length + pad;
  return Buffer.concat([u32(type), u32(total), body, Buffer.alloc(pad), u32(total)]);
}

export function sectionHeader(major = 1, minor = 2): Buffer {
  return block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d), u16(major), u16(minor), u64(-1)]));
}

export function machineInfo(hostname: string): Buffer {
  const name = Buffer.alloc(128);
  name.write(hostname);
  return block(0x201, Buffer.concat([u32(2), u64(1 << 30), u64(32768), name, u64(0), u64(0), u64(0), u64(0)]));
}

export interface ProcEntry {
  tid: number; pid: number; ptid: number; comm: string; exe: string; exepath?: string; args: string[]; cwd: string;
  uid: number; gid: number; env?: string[]; cgroups?: string[]; loginuid?: number; tty?: number;
  /** cap_inheritable, cap_permitted, cap_effective (v9) */
  caps?: [bigint, bigint, bigint];
}

/** the body of one process list entry of block version v (1..9); v9 with the pre-0.10 or current tail */
export function procEntry(v: number, p: ProcEntry, tail: 'current' | 'pre-0.10' = 'current'): Buffer {
  const parts: Buffer[] = [u64(p.tid), u64(p.pid), u64(p.ptid)];
  if (v >= 6) parts.push(u64(p.pid));
  if (v >= 8) parts.push(u64(p.pid));
  parts.push(str16(p.comm), str16(p.exe));
  if (v >= 7) parts.push(str16(p.exepath ?? ''));
  parts.push(list16(p.args), str16(p.cwd), u64(1024), u32(0), u32(p.uid), u32(p.gid));
  if (v >= 2) {
    parts.push(u32(100), u32(50), u32(0), u64(0), u64(0));
    if (v >= 3) parts.push(list16(p.env ?? []));
    if (v >= 4) {
      parts.push(u64(p.tid), u64(p.pid), list16(p.cgroups ?? []));
      if (v >= 5) parts.push(str16('/'));
    }
  }
  if (v >= 9) {
    if (tail === 'current') parts.push(u64(0), u32(p.tty ?? 0));
    const [inh, prm, eff] = p.caps ?? [0n, 0n, 0n];
    parts.push(u32(p.loginuid ?? 0xffffffff), Buffer.from([0]), u64(inh), u64(prm), u64(eff));
    if (tail === 'current') parts.push(Buffer.from([0]), u64(0), u64(0), u64(0), Buffer.from([0]), Buffer.from([0]), u64(p.pid));
    const body = Buffer.concat(parts);
    return Buffer.concat([u32(body.length + 4), body]);
  }
  return Buffer.concat(parts);
}

const PL_TYPES = [0, 0x202, 0x207, 0x209, 0x210, 0x211, 0x212, 0x213, 0x214, 0x215];
export function procList(v: number, entries: Buffer[]): Buffer {
  return block(PL_TYPES[v], Buffer.concat(entries));
}

/** an fd list entry: a file (FILE_V2 in v2 blocks, FILE in v1), with the entry length in v2 */
export function fdFile(v2: boolean, fd: number, name: string, flags = 0): Buffer {
  const body = v2
    ? Buffer.concat([u64(fd), u64(77), Buffer.from([16]), u32(flags), str16(name), u32(0x803)])
    : Buffer.concat([u64(fd), u64(77), Buffer.from([1]), str16(name)]);
  return v2 ? Buffer.concat([u32(body.length + 4), body]) : body;
}

/** an IPv4 connected socket fd entry */
export function fdIpv4(v2: boolean, fd: number, sip: number[], sport: number, dip: number[], dport: number): Buffer {
  const body = Buffer.concat([u64(fd), u64(88), Buffer.from([3]), Buffer.from(sip), Buffer.from(dip), u16(sport), u16(dport), Buffer.from([2])]);
  return v2 ? Buffer.concat([u32(body.length + 4), body]) : body;
}

/** an IPv6 connected socket fd entry (16-byte addresses) */
export function fdIpv6(v2: boolean, fd: number, sip: number[], sport: number, dip: number[], dport: number): Buffer {
  const body = Buffer.concat([u64(fd), u64(90), Buffer.from([4]), Buffer.from(sip), Buffer.from(dip), u16(sport), u16(dport), Buffer.from([2])]);
  return v2 ? Buffer.concat([u32(body.length + 4), body]) : body;
}

/** an IPv4 listening socket fd entry (SCAP_FD_IPV4_SERVSOCK) */
export function fdIpv4Server(v2: boolean, fd: number, ip: number[], port: number): Buffer {
  const body = Buffer.concat([u64(fd), u64(89), Buffer.from([5]), Buffer.from(ip), u16(port), Buffer.from([2])]);
  return v2 ? Buffer.concat([u32(body.length + 4), body]) : body;
}

export function fdList(v2: boolean, tid: number, entries: Buffer[]): Buffer {
  return block(v2 ? 0x218 : 0x203, Buffer.concat([u64(tid), ...entries]));
}

export function userList(v2: boolean, users: { uid: number; gid: number; name: string }[], groups: { gid: number; name: string }[]): Buffer {
  const entry = (b: Buffer): Buffer => (v2 ? Buffer.concat([u32(b.length + 4), b]) : b);
  const parts = [
    ...users.map((u) => entry(Buffer.concat([Buffer.from([0]), u32(u.uid), u32(u.gid), str16(u.name), str16(`/home/${u.name}`), str16('/bin/sh')]))),
    ...groups.map((g) => entry(Buffer.concat([Buffer.from([1]), u32(g.gid), str16(g.name)]))),
  ];
  return block(v2 ? 0x220 : 0x206, Buffer.concat(parts));
}

export function ifList(v2: boolean, name: string, addr: number[]): Buffer {
  const e = Buffer.concat([u16(1), u16(name.length), Buffer.from(addr), Buffer.from([255, 0, 0, 0]), Buffer.from([0, 0, 0, 0]), u64(1000), Buffer.from(name)]);
  return block(v2 ? 0x219 : 0x205, v2 ? Buffer.concat([u32(e.length), e]) : e);
}

export type Param = number | bigint | string | Buffer | null;

function width(type: string): number {
  if (/^(U?INT8|FLAGS8|ENUMFLAGS8)$/.test(type)) return 1;
  if (/^(U?INT16|FLAGS16|ENUMFLAGS16|SYSCALLID)$/.test(type)) return 2;
  if (/^(U?INT32|FLAGS32|ENUMFLAGS32|UID|GID|MODE|SIGTYPE|SIGSET)$/.test(type)) return 4;
  return 8;
}

function encode(type: string, v: Param): Buffer {
  if (v === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(`${v}\0`);
  const w = width(type);
  const b = Buffer.alloc(w);
  if (w === 1) b.writeUInt8(Number(v) & 255);
  else if (w === 2) b.writeUInt16LE(Number(v) & 0xffff);
  else if (w === 4) b.writeInt32LE(Number(v) | 0);
  else b.writeBigInt64LE(BigInt(v));
  return b;
}

/**
 * An event under libs code `code`, with its first `params.length` parameters
 * (by position, typed from libs' table); `v2`: with nparams in the header.
 */
export function libsEvent(code: number, tid: number, ts: bigint, params: Param[], v2 = true): Buffer {
  const info = LIBS_EVENTS[code];
  const bodies = params.map((p, i) => encode(info?.types[i] ?? 'UINT64', p));
  const hdr = v2 ? 26 : 22;
  const len = hdr + 2 * bodies.length + bodies.reduce((a, b) => a + b.length, 0);
  const h = Buffer.alloc(hdr);
  h.writeBigUInt64LE(ts, 0);
  h.writeBigUInt64LE(BigInt(tid), 8);
  h.writeUInt32LE(len, 16);
  h.writeUInt16LE(code, 20);
  if (v2) h.writeUInt32LE(bodies.length, 22);
  return Buffer.concat([h, ...bodies.map((b) => u16(b.length)), ...bodies]);
}

/** an event block: EV (v1 header) / EV_V2, or the EVF kinds with flags */
export function eventBlock(event: Buffer, kind: 'EV' | 'EV_V2' | 'EVF' | 'EVF_V2' | 'EV_V2_LARGE' = 'EV_V2', cpu = 0): Buffer {
  const type = { EV: 0x204, EV_V2: 0x216, EVF: 0x208, EVF_V2: 0x217, EV_V2_LARGE: 0x221 }[kind];
  const flags = kind.startsWith('EVF') ? u32(0) : Buffer.alloc(0);
  return block(type, Buffer.concat([u16(cpu), flags, event]));
}
