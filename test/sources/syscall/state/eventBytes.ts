// Builds wire-format events (bpf/vigil_events.h layout) for state and field
// tests, so they run without the probe.
import { HEADER_LEN } from '../../../../src/sources/syscall/decode';
import { EVENT_LIST } from '../../../../src/sources/syscall/eventTable';

export type P = number | bigint | string | Buffer | null;

function encode(type: string, v: P): Buffer {
  if (v === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(`${v}\0`);
  const width = type === 'UINT8' ? 1 : type === 'ENUMFLAGS16' || type === 'FLAGS16' ? 2 : /32|UID|GID|MODE|SIGTYPE/.test(type) && type !== 'INT32' ? 4 : type === 'INT32' ? 4 : 8;
  const b = Buffer.alloc(width);
  if (width === 1) b.writeUInt8(Number(v));
  else if (width === 2) b.writeUInt16LE(Number(v));
  else if (width === 4) {
    if (Number(v) < 0) b.writeInt32LE(Number(v));
    else b.writeUInt32LE(Number(v));
  } else b.writeBigInt64LE(BigInt(v));
  return b;
}

/** one event: `params` by name; missing ones are empty. `openat` is the exit, `openat>` the enter. */
export function eventBytes(name: string, tid: number, ts: bigint, params: Record<string, P>): Buffer {
  const enter = name.endsWith('>');
  const base = enter ? name.slice(0, -1) : name;
  const info = enter
    ? EVENT_LIST.find((e) => e.name === base && e.dir === '>')
    : EVENT_LIST.find((e) => e.name === base && e.dir === '<') ?? EVENT_LIST.find((e) => e.name === base);
  if (!info) throw new Error(`no event ${name}`);
  const bodies = info.params.map((p) => encode(p.type, params[p.name] ?? null));
  const n = bodies.length;
  const len = HEADER_LEN + 2 * n + bodies.reduce((a, b) => a + b.length, 0);
  const h = Buffer.alloc(HEADER_LEN + 2 * n);
  h.writeBigUInt64LE(ts, 0);
  h.writeBigUInt64LE(BigInt(tid), 8);
  h.writeUInt32LE(len, 16);
  h.writeUInt16LE(info.code, 20);
  h.writeUInt32LE(n, 22);
  bodies.forEach((b, i) => h.writeUInt16LE(b.length, HEADER_LEN + 2 * i));
  return Buffer.concat([h, ...bodies]);
}

/** an IPv4 SOCKTUPLE: client -> server */
export function tuple4(sip: string, sport: number, dip: string, dport: number): Buffer {
  const b = Buffer.alloc(13);
  b[0] = 2;
  sip.split('.').forEach((x, i) => (b[1 + i] = Number(x)));
  b.writeUInt16LE(sport, 5);
  dip.split('.').forEach((x, i) => (b[7 + i] = Number(x)));
  b.writeUInt16LE(dport, 11);
  return b;
}

/** NUL-separated list, as argv/env travel */
export function nulList(items: string[]): Buffer {
  return Buffer.from(items.map((s) => `${s}\0`).join(''));
}

/** an IPv4 SOCKADDR: family, ip, port (host order) */
export function sockaddr4(ip: string, port: number): Buffer {
  const b = Buffer.alloc(7);
  b[0] = 2;
  ip.split('.').forEach((x, i) => (b[1 + i] = Number(x)));
  b.writeUInt16LE(port, 5);
  return b;
}

/** a unix SOCKTUPLE: the two kernel socket addresses, then the path */
export function tupleUnix(source: bigint, dest: bigint, path: string): Buffer {
  const b = Buffer.alloc(17);
  b[0] = 1;
  b.writeBigUInt64LE(source, 1);
  b.writeBigUInt64LE(dest, 9);
  return Buffer.concat([b, Buffer.from(`${path}\0`)]);
}

/** a unix SOCKADDR: family, then the path */
export function sockaddrUnix(path: string): Buffer {
  return Buffer.concat([Buffer.from([1]), Buffer.from(`${path}\0`)]);
}
