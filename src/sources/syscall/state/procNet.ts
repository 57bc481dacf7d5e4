// Socket inodes -> connection tuples, from /proc/net/{tcp,tcp6,udp,udp6,unix},
// so sockets open before the agent started get their fd.name. The files list
// the sockets of the reader's network namespace only.
import fs from 'node:fs';
import path from 'node:path';
import { ipv6Text } from '../ipv6Text';
import { FdInfo } from './fdInfo';
import type { ThreadTable } from './threadTable';

/** `0100007F:1F90` (little-endian IPv4 hex) -> ['127.0.0.1', 8080] */
function inetAddr(hex: string): [string, number] {
  const [a, p] = hex.split(':');
  const port = parseInt(p, 16);
  if (a.length === 8) {
    const n = parseInt(a, 16);
    return [`${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`, port];
  }
  // IPv6: four 32-bit words, each little-endian
  const groups: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = a.slice(w * 8, w * 8 + 8);
    const bytes = word.match(/../g)!.reverse().join('');
    groups.push(String(parseInt(bytes.slice(0, 4), 16).toString(16)), String(parseInt(bytes.slice(4), 16).toString(16)));
  }
  return [ipv6Text(groups), port];
}

const TCP_LISTEN = '0A';

/** an IPv6 table address that is IPv4-mapped (::ffff:a.b.c.d) or all zeros, as its IPv4 hex; else undefined */
function mappedHex(hex: string): string | undefined {
  const a = hex.slice(0, hex.indexOf(':'));
  if (a.length !== 32 || !a.startsWith('0000000000000000')) return undefined;
  const w2 = a.slice(16, 24).toUpperCase();
  const w3 = a.slice(24);
  if (w2 === 'FFFF0000' || (w2 === '00000000' && /^0{8}$/.test(w3))) return `${w3}${hex.slice(hex.indexOf(':'))}`;
  return undefined;
}

/**
 * Parse a /proc/net/tcp-style table into socket inode -> FdInfo. A listening
 * socket and one whose local port is the well-known side are not told apart
 * by the table: listening sockets are servers, others clients.
 */
export function parseInetTable(text: string, family: 'ipv4' | 'ipv6', proto: 'tcp' | 'udp', into = new Map<string, FdInfo>()): Map<string, FdInfo> {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 10) continue;
    const listening = proto === 'tcp' ? f[3] === TCP_LISTEN : parseInt(f[2].slice(f[2].indexOf(':') + 1), 16) === 0;
    // as libs: a connection of an IPv4 peer on a dual-stack socket (both ends mapped) is IPv4
    const lm = family === 'ipv6' && !listening ? mappedHex(f[1]) : undefined;
    const rm = lm === undefined ? undefined : mappedHex(f[2]);
    const mapped = lm !== undefined && rm !== undefined;
    const [lip, lport] = inetAddr(mapped ? lm : f[1]);
    const [rip, rport] = inetAddr(mapped ? rm : f[2]);
    const inode = f[9];
    const info = new FdInfo(mapped ? 'ipv4' : family, '');
    info.l4proto = proto;
    if (listening) info.setListening(lip, lport);
    else info.setTuple(lip, lport, rip, rport, false);
    info.ino = inode;
    into.set(inode, info);
  }
  return into;
}

/** /proc/net/unix: `Num RefCount Protocol Flags Type St Inode Path` */
export function parseUnixTable(text: string, into = new Map<string, FdInfo>()): Map<string, FdInfo> {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].trim().split(/\s+/);
    if (f.length < 7) continue;
    const info = new FdInfo('unix', f[7] ?? '');
    info.ino = f[6];
    into.set(f[6], info);
  }
  return into;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** every socket of this network namespace, by inode */
export function readSockets(procRoot = '/proc'): Map<string, FdInfo> {
  const m = new Map<string, FdInfo>();
  parseInetTable(readOr(path.join(procRoot, 'net/tcp')), 'ipv4', 'tcp', m);
  parseInetTable(readOr(path.join(procRoot, 'net/udp')), 'ipv4', 'udp', m);
  parseInetTable(readOr(path.join(procRoot, 'net/tcp6')), 'ipv6', 'tcp', m);
  parseInetTable(readOr(path.join(procRoot, 'net/udp6')), 'ipv6', 'udp', m);
  parseUnixTable(readOr(path.join(procRoot, 'net/unix')), m);
  return m;
}

/**
 * As libs does once its /proc scan (or a capture's fd lists) is in: an IPv4
 * connection whose local port some listening socket of the host holds is
 * taken for the server end and named client->server (`remote->local`); the
 * tables alone only say local and remote. Listening ports of either family
 * count (a listener on :: accepts IPv4 too). Returns how many were turned.
 */
export function orientSeededSockets(threads: ThreadTable): number {
  const sockets = new Set<FdInfo>();
  for (const t of threads.values()) {
    for (const [, f] of t.fds.entries()) if (f.type === 'ipv4' || f.type === 'ipv6') sockets.add(f);
  }
  const serverPorts = new Set<number>();
  for (const f of sockets) if (f.isServer && !f.cport && f.sport !== undefined) serverPorts.add(f.sport);
  let turned = 0;
  for (const f of sockets) {
    if (f.type !== 'ipv4' || f.isServer || f.cport === undefined || !serverPorts.has(f.cport)) continue;
    f.setTuple(f.sip!, f.sport!, f.cip!, f.cport, true);
    turned++;
  }
  return turned;
}
