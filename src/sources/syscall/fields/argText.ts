// A parameter as evt.arg shows it (names for flags, errno values, signals,
// addresses; paths and strings as they are) and as evt.rawarg gives it (the
// number, or the text for string parameters).
import type { EventView } from '../decode';
import { bitsText, CLONE_FLAGS, errnoName, familyName, LINUX_NS_FLAGS, openFlagsText, ptraceName, signalName } from './flagNames';

export function paramText(v: EventView, i: number): string | undefined {
  if (i < 0 || v.paramLen(i) === 0) return undefined;
  const p = v.info?.params[i];
  if (!p) return undefined;
  switch (p.type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      return v.str(i);
    case 'BYTEBUF':
      return v.str(i)?.replace(/\0/g, ' ').trimEnd();
    case 'SOCKADDR': {
      const a = v.sockaddr(i)!;
      return a.path !== undefined ? a.path : a.ip !== undefined ? `${a.ip}:${a.port}` : familyName(a.family);
    }
    case 'SOCKTUPLE': {
      const t = v.tuple(i)!;
      if (t.sip !== undefined) return `${t.sip}:${t.sport}->${t.dip}:${t.dport}`;
      if (t.source !== undefined) return `${t.source}->${t.dest} ${t.path ?? ''}`.trimEnd();
      return familyName(t.family);
    }
    case 'ERRNO': {
      const n = v.int(i)!;
      return errnoName(n) ?? String(n);
    }
    case 'FD': {
      const n = v.int(i)!;
      return n < 0 && n !== -100 ? errnoName(n) ?? String(n) : String(n);
    }
    case 'SIGTYPE':
      return signalName(v.int(i)!);
    case 'DYN':
      if (v.paramLen(i) !== 9) return undefined;
      {
        const r = v.raw(i);
        return `0x${Buffer.from(r.buffer, r.byteOffset, r.length).readBigUInt64LE(1).toString(16)}`;
      }
    default:
      break;
  }
  const n = v.int(i);
  if (n === undefined) return undefined;
  const name = v.info!.name;
  if (p.name === 'flags') {
    if (name === 'open' || name === 'openat' || name === 'openat2') return openFlagsText(n);
    if (name.startsWith('clone') || name === 'fork' || name === 'vfork') return bitsText(n, CLONE_FLAGS);
    if (name === 'unshare') return bitsText(n, LINUX_NS_FLAGS);
  }
  if (p.name === 'nstype') return bitsText(n, LINUX_NS_FLAGS);
  if (p.name === 'request' && name === 'ptrace') return ptraceName(n);
  if (p.name === 'domain' && name === 'socket') return familyName(n);
  return String(n);
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
      return paramText(v, i);
    default:
      return v.int(i);
  }
}
