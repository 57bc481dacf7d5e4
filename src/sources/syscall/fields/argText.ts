// A parameter as evt.arg shows it (names for flags, errno values, signals,
// addresses; paths and strings as they are) and as evt.rawarg gives it (the
// number, or the text for string parameters).
import type { EventView } from '../decode';
import {
  bitsText, bpfCommandName, CLONE_FLAGS, CREAT_FLAGS, errnoName, familyName, FCHOWNAT_FLAGS, FINIT_MODULE_FLAGS, LINKAT_FLAGS, MEMFD_FLAGS, modeText,
  MOUNT_FLAGS, openFlagsText, prctlOptionName, ptraceName, RENAMEAT2_FLAGS, RESOLVE_FLAGS, signalName, UMOUNT_FLAGS, UNLINKAT_FLAGS,
} from './flagNames';

/** event name -> the table its `flags` parameter is named from (libs' event table) */
const FLAG_TABLES: Readonly<Record<string, Parameters<typeof bitsText>[1]>> = {
  clone: CLONE_FLAGS, clone3: CLONE_FLAGS, fork: CLONE_FLAGS, vfork: CLONE_FLAGS, unshare: CLONE_FLAGS,
  mount: MOUNT_FLAGS, umount2: UMOUNT_FLAGS, unlinkat: UNLINKAT_FLAGS, linkat: LINKAT_FLAGS, fchownat: FCHOWNAT_FLAGS,
  renameat2: RENAMEAT2_FLAGS, memfd_create: MEMFD_FLAGS, finit_module: FINIT_MODULE_FLAGS,
};
/** `mode` printed in octal (libs' PF_OCT), as Falco does */
const OCTAL_MODE = new Set(['open', 'openat', 'openat2', 'creat', 'mkdir', 'mkdirat']);

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
  if (p.type === 'MODE') return modeText(n);
  if (p.name === 'flags') {
    if (name === 'open' || name === 'openat' || name === 'openat2' || name === 'dup3' || name === 'pipe2' || name === 'socket') return openFlagsText(n);
    const table = FLAG_TABLES[name];
    if (table) return bitsText(n, table);
  }
  if (p.name === 'creat_flags') return bitsText(n, CREAT_FLAGS);
  if (p.name === 'mode' && OCTAL_MODE.has(name)) return n === 0 ? '0' : `0${n.toString(8)}`;
  if (p.name === 'resolve' && name === 'openat2') return bitsText(n, RESOLVE_FLAGS);
  if (p.name === 'nstype') return bitsText(n, CLONE_FLAGS);
  if (p.name === 'request' && name === 'ptrace') return ptraceName(n);
  if (p.name === 'domain' && name === 'socket') return familyName(n);
  if (p.name === 'option' && name === 'prctl') return prctlOptionName(n);
  if (p.name === 'cmd' && name === 'bpf') return bpfCommandName(n);
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
