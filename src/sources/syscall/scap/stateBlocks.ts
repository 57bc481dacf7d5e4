// The state blocks of a capture (machine info, process list, fd lists, users
// and groups, interfaces) read into plain records, in every version libs
// reads (scap_savefile.c). Blocks since scap 1.2 prefix each entry with its
// length, so entries with fields added later are read for what is known and
// skipped past the rest.
import { FDL_BLOCK_TYPE_V2, IL_BLOCK_TYPE_V2, UL_BLOCK_TYPE_V2 } from './blockTypes';
import { Cursor, ScapError } from './scapError';

export interface ScapThread {
  tid: number; pid: number; ptid: number; sid: number; vpgid: number; pgid: number;
  comm: string; exe: string; exepath: string; args: string[]; cwd: string;
  fdlimit: number; flags: number; uid: number; gid: number;
  env: string[]; vtid: number; vpid: number; cgroups: string[]; root: string;
  pidnsInitStartTs: bigint; tty: number; loginuid: number; exeWritable: boolean;
  capInheritable: bigint; capPermitted: bigint; capEffective: bigint;
  exeUpperLayer: boolean; exeLowerLayer: boolean; exeFromMemfd: boolean;
  exeIno: number; exeCtime: bigint; exeMtime: bigint;
}

/** scap_fd_type */
export const enum ScapFdType {
  Unknown = 0, File = 1, Directory = 2, Ipv4Sock = 3, Ipv6Sock = 4, Ipv4ServSock = 5, Ipv6ServSock = 6,
  Fifo = 7, UnixSock = 8, Event = 9, Unsupported = 10, Signalfd = 11, Eventpoll = 12, Inotify = 13,
  Timerfd = 14, Netlink = 15, FileV2 = 16, Bpf = 17, Userfaultfd = 18, IoUring = 19, Memfd = 20, Pidfd = 21,
}

/** scap_l4_proto */
export const L4_NAMES: readonly (string | undefined)[] = [undefined, undefined, 'tcp', 'udp', 'icmp', 'raw'];

export interface ScapFd {
  fd: number;
  ino: number;
  type: number;
  /** path, unix socket path, or other name */
  name: string;
  openFlags: number;
  dev: number;
  /** sockets: addresses as raw bytes (4 or 16), ports, l4 protocol (scap_l4_proto) */
  sip?: Buffer; dip?: Buffer; sport?: number; dport?: number; l4proto?: number;
  /** unix sockets: kernel addresses */
  source?: bigint; dest?: bigint;
}

export interface ScapUser { uid: number; gid: number; name: string; home: string; shell: string }
export interface ScapGroup { gid: number; name: string }
export interface ScapMachine { numCpus: number; memoryBytes: number; maxPid: number; hostname: string; bootTs: bigint }
export interface ScapInterface { name: string; family: 4 | 6; addr: Buffer }

/** the fields libs 0.10 put in the middle of a v9 entry; a shorter tail is the older layout */
const PRE_0_10_TAIL = 29;

function thread(): ScapThread {
  return {
    tid: 0, pid: 0, ptid: 0, sid: -1, vpgid: -1, pgid: -1, comm: '', exe: '', exepath: '', args: [], cwd: '',
    fdlimit: 0, flags: 0, uid: 0, gid: 0, env: [], vtid: -1, vpid: -1, cgroups: [], root: '',
    pidnsInitStartTs: 0n, tty: 0, loginuid: 4294967295, exeWritable: false, capInheritable: 0n, capPermitted: 0n,
    capEffective: 0n, exeUpperLayer: false, exeLowerLayer: false, exeFromMemfd: false, exeIno: 0, exeCtime: 0n, exeMtime: 0n,
  };
}

/** One process list block body (`version` 1..9). */
export function readProcList(c: Cursor, version: number, onThread: (t: ScapThread) => void): void {
  while (c.left >= 4) {
    const start = c.pos;
    const t = thread();
    const subLen = version >= 9 ? c.u32('entry length') : 0;
    if (version >= 9 && (subLen < 4 || start + subLen > c.end)) throw new ScapError(`process list entry length ${subLen} does not fit its block (${c.end - start} bytes left)`, c.base + start);
    const fits = (n: number): boolean => subLen > 0 && c.pos - start + n <= subLen;
    t.tid = c.u64('tid');
    t.pid = c.u64('pid');
    t.ptid = c.u64('ptid');
    if (version >= 6) t.sid = c.i64('sid');
    if (version >= 8) t.vpgid = c.i64('vpgid');
    t.comm = c.str16('comm');
    t.exe = c.str16('exe');
    if (version >= 7) t.exepath = c.str16('exepath');
    t.args = c.list16('args');
    t.cwd = c.str16('cwd');
    t.fdlimit = c.u64('fdlimit');
    t.flags = c.u32('flags');
    t.uid = c.u32('uid');
    t.gid = c.u32('gid');
    if (version >= 2) {
      c.u32('vmsize_kb');
      c.u32('vmrss_kb');
      c.u32('vmswap_kb');
      c.u64('pfmajor');
      c.u64('pfminor');
      if (version >= 3) t.env = c.list16('env');
      if (version >= 4) {
        t.vtid = c.i64('vtid');
        t.vpid = c.i64('vpid');
        t.cgroups = c.list16('cgroups');
        if (version >= 5) t.root = c.str16('root');
      }
    }
    if (subLen > 0 && subLen - (c.pos - start) > PRE_0_10_TAIL) {
      if (fits(8)) t.pidnsInitStartTs = c.big('pidns_init_start_ts');
      if (fits(4)) t.tty = c.u32('tty');
    }
    if (fits(4)) t.loginuid = c.u32('loginuid');
    if (fits(1)) t.exeWritable = c.u8('exe_writable') !== 0;
    if (fits(8)) t.capInheritable = c.big('cap_inheritable');
    if (fits(8)) t.capPermitted = c.big('cap_permitted');
    if (fits(8)) t.capEffective = c.big('cap_effective');
    if (fits(1)) t.exeUpperLayer = c.u8('exe_upper_layer') !== 0;
    if (fits(8)) t.exeIno = c.u64('exe_ino');
    if (fits(8)) t.exeCtime = c.big('exe_ino_ctime');
    if (fits(8)) t.exeMtime = c.big('exe_ino_mtime');
    if (fits(1)) t.exeFromMemfd = c.u8('exe_from_memfd') !== 0;
    if (fits(1)) t.exeLowerLayer = c.u8('exe_lower_layer') !== 0;
    if (fits(8)) t.pgid = c.i64('pgid');
    if (subLen > 0) {
      if (c.pos - start > subLen) throw new ScapError(`process list entry read ${c.pos - start} bytes, its length says ${subLen}`, c.base + start);
      c.pos = start + subLen;
    }
    onThread(t);
  }
}

/** One fd list block body: the thread, then its fds. */
export function readFdList(c: Cursor, blockType: number, onFd: (tid: number, fd: ScapFd) => void): void {
  const v2 = blockType === FDL_BLOCK_TYPE_V2;
  const tid = c.u64('tid');
  while (c.left >= 4) {
    const start = c.pos;
    const subLen = v2 ? c.u32('entry length') : 0;
    if (v2 && (subLen < 4 || start + subLen > c.end)) throw new ScapError(`fd list entry length ${subLen} does not fit its block (${c.end - start} bytes left)`, c.base + start);
    const f: ScapFd = { fd: c.i64('fd'), ino: c.u64('ino'), type: c.u8('type'), name: '', openFlags: 0, dev: 0 };
    switch (f.type) {
      case ScapFdType.Ipv4Sock:
        f.sip = c.bytes(4, 'sip');
        f.dip = c.bytes(4, 'dip');
        f.sport = c.u16('sport');
        f.dport = c.u16('dport');
        f.l4proto = c.u8('l4proto');
        break;
      case ScapFdType.Ipv4ServSock:
        f.sip = c.bytes(4, 'ip');
        f.sport = c.u16('port');
        f.l4proto = c.u8('l4proto');
        break;
      case ScapFdType.Ipv6Sock:
        f.sip = c.bytes(16, 'sip');
        f.dip = c.bytes(16, 'dip');
        f.sport = c.u16('sport');
        f.dport = c.u16('dport');
        f.l4proto = c.u8('l4proto');
        break;
      case ScapFdType.Ipv6ServSock:
        f.sip = c.bytes(16, 'ip');
        f.sport = c.u16('port');
        f.l4proto = c.u8('l4proto');
        break;
      case ScapFdType.UnixSock:
        f.source = c.big('source');
        f.dest = c.big('destination');
        f.name = c.str16('name');
        break;
      case ScapFdType.FileV2:
        f.openFlags = c.u32('open_flags');
        f.name = c.str16('name');
        if (subLen > 0 && c.pos - start + 4 <= subLen) f.dev = c.u32('dev');
        break;
      case ScapFdType.Unknown:
        break;
      default:
        if (f.type > ScapFdType.Pidfd) {
          // a type from a newer libs: its body cannot be read without the entry length
          if (!v2) throw new ScapError(`fd list entry of unknown type ${f.type} in a block without entry lengths`, c.base + start);
          f.type = ScapFdType.Unsupported;
          f.name = `unknown-type:[${f.type}]`;
        } else {
          f.name = c.str16('name');
        }
    }
    if (v2) {
      if (c.pos - start > subLen) throw new ScapError(`fd list entry read ${c.pos - start} bytes, its length says ${subLen}`, c.base + start);
      c.pos = start + subLen;
    }
    onFd(tid, f);
  }
}

/** One user list block body. */
export function readUserList(c: Cursor, blockType: number, onUser: (u: ScapUser) => void, onGroup: (g: ScapGroup) => void): void {
  const v2 = blockType === UL_BLOCK_TYPE_V2;
  while (c.left >= 4) {
    const start = c.pos;
    const subLen = v2 ? c.u32('entry length') : 0;
    if (v2 && (subLen < 4 || start + subLen > c.end)) throw new ScapError(`user list entry length ${subLen} does not fit its block`, c.base + start);
    const type = c.u8('type');
    if (type === 0) onUser({ uid: c.u32('uid'), gid: c.u32('gid'), name: c.str16('name'), home: c.str16('homedir'), shell: c.str16('shell') });
    else onGroup({ gid: c.u32('gid'), name: c.str16('name') });
    if (v2) {
      if (c.pos - start > subLen) throw new ScapError(`user list entry read ${c.pos - start} bytes, its length says ${subLen}`, c.base + start);
      c.pos = start + subLen;
    }
  }
}

/** scap_ifinfo types: IPv4, IPv6, and both without the link speed (older files) */
const II_IPV4 = 1, II_IPV6 = 2, II_IPV4_NOLINKSPEED = 3, II_IPV6_NOLINKSPEED = 4;

/** One interface list block body. */
export function readIfList(c: Cursor, blockType: number, onIf: (i: ScapInterface) => void): void {
  const v2 = blockType === IL_BLOCK_TYPE_V2;
  while (c.left >= 4) {
    const start = c.pos;
    const entryLen = v2 ? c.u32('entry length') + 4 : 0;
    if (v2 && start + entryLen > c.end) throw new ScapError(`interface list entry length ${entryLen} does not fit its block`, c.base + start);
    const type = c.u16('type');
    const nameLen = c.u16('name length');
    let addr: Buffer;
    let family: 4 | 6;
    if (type === II_IPV4 || type === II_IPV4_NOLINKSPEED) {
      family = 4;
      addr = c.bytes(4, 'addr');
      c.bytes(8, 'netmask, bcast');
      if (type === II_IPV4) c.u64('linkspeed');
    } else if (type === II_IPV6 || type === II_IPV6_NOLINKSPEED) {
      family = 6;
      addr = c.bytes(16, 'addr');
      c.bytes(32, 'netmask, bcast');
      if (type === II_IPV6) c.u64('linkspeed');
    } else {
      throw new ScapError(`interface list: unknown interface type ${type}`, c.base + start);
    }
    const name = c.bytes(nameLen, 'name').toString('utf8').replace(/\0.*$/s, '');
    if (v2) c.pos = start + entryLen;
    onIf({ name, family, addr });
  }
}

/** The machine info block body. */
export function readMachineInfo(c: Cursor): ScapMachine {
  const numCpus = c.u32('num_cpus');
  const memoryBytes = c.u64('memory_size_bytes');
  const maxPid = c.u64('max_pid');
  const hostname = c.bytes(128, 'hostname').toString('utf8').replace(/\0.*$/s, '');
  const bootTs = c.left >= 8 ? c.big('boot_ts_epoch') : 0n;
  return { numCpus, memoryBytes, maxPid, hostname, bootTs };
}
