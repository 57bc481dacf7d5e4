// The replay bench's own event generator: program runs as a busy host makes
// them (a shell forks, the child execs, loads its libraries, opens and reads
// files, sometimes connects, closes, exits), written with Vigil's scap writer.
// Deterministic: the same file for the same count.
import { EventView, HEADER_LEN } from '../src/sources/syscall/decode';
import { EVENT_LIST, type ParamType } from '../src/sources/syscall/eventTable';
import { ScapWriter } from '../src/sources/syscall/scap/scapWriter';
import { ThreadTable } from '../src/sources/syscall/state/threadTable';

type V = number | bigint | string | Buffer | null;

function width(t: ParamType): number {
  if (t === 'UINT8' || t === 'INT8' || t === 'FLAGS8' || t === 'ENUMFLAGS8') return 1;
  if (t === 'UINT16' || t === 'INT16' || t === 'FLAGS16' || t === 'ENUMFLAGS16') return 2;
  if (/32|UID|GID|MODE|SIGTYPE/.test(t)) return 4;
  return 8;
}

const INFO = new Map(EVENT_LIST.map((e) => [`${e.name}${e.dir === '>' ? '>' : ''}`, e]));

/** a libs read exit (code 7), a type Vigil does not decode: its share of a real capture */
const READ_X = 7;

export class Generator {
  private readonly chunk = new ArrayBuffer(1 << 20);
  private readonly buf = Buffer.from(this.chunk);
  private readonly view = new EventView(this.chunk);
  private len = 0;
  events = 0;
  private ts = 1_700_000_000_000_000_000n;
  private nextTid = 100_000;

  constructor(private readonly writer: ScapWriter) {}

  /** one event by Vigil name (`name>` for an enter), parameters by name */
  private ev(name: string, tid: number, params: Record<string, V>): void {
    const info = INFO.get(name)!;
    this.raw(info.code, tid, info.params.map((p) => this.encode(p.type, params[p.name] ?? null)));
  }

  private encode(t: ParamType, v: V): Buffer {
    if (v === null) return Buffer.alloc(0);
    if (Buffer.isBuffer(v)) return v;
    if (typeof v === 'string') return Buffer.from(`${v}\0`);
    const w = width(t);
    const b = Buffer.alloc(w);
    if (w === 1) b.writeUInt8(Number(v));
    else if (w === 2) b.writeUInt16LE(Number(v));
    else if (w === 4) b.writeInt32LE(Number(v));
    else b.writeBigInt64LE(BigInt(v));
    return b;
  }

  private raw(code: number, tid: number, bodies: Buffer[]): void {
    const n = bodies.length;
    const len = HEADER_LEN + 2 * n + bodies.reduce((a, b) => a + b.length, 0);
    const o = this.len;
    this.ts += 1000n;
    this.buf.writeBigUInt64LE(this.ts, o);
    this.buf.writeBigUInt64LE(BigInt(tid), o + 8);
    this.buf.writeUInt32LE(len, o + 16);
    this.buf.writeUInt16LE(code, o + 20);
    this.buf.writeUInt32LE(n, o + 22);
    let w = o + HEADER_LEN + 2 * n;
    bodies.forEach((b, i) => {
      this.buf.writeUInt16LE(b.length, o + HEADER_LEN + 2 * i);
      b.copy(this.buf, w);
      w += b.length;
    });
    this.view.moveTo(o, o + len);
    this.writer.writeEvent(this.view);
    this.events++;
  }

  /** One program run, started from `shell` (pid): about 30 events. */
  run(shell: number, k: number): void {
    const child = this.nextTid++;
    const cloneParams = (res: number): Record<string, V> => ({
      res, exe: '/usr/bin/bash', args: Buffer.from('-c\0work\0'), tid: child, pid: child, ptid: shell, cwd: '/srv/app', fdlimit: 1024,
      comm: 'bash', cgroups: Buffer.from('cpu=/system.slice/app.service\0'), flags: 0, uid: 1000, gid: 1000, vtid: child, vpid: child,
    });
    this.ev('clone', shell, cloneParams(child));
    this.ev('clone', child, cloneParams(0));
    const progs = ['/usr/bin/cat', '/usr/bin/grep', '/usr/bin/python3', '/usr/bin/curl', '/usr/bin/ls'];
    const exe = progs[k % progs.length];
    const comm = exe.slice(exe.lastIndexOf('/') + 1);
    this.ev('execve', child, {
      res: 0, exe, args: Buffer.from(`--quiet\0/srv/app/data-${k % 50}.txt\0`), tid: child, pid: child, ptid: shell, cwd: '/srv/app', fdlimit: 1024,
      comm, cgroups: Buffer.from('cpu=/system.slice/app.service\0'), env: Buffer.from('PATH=/usr/bin\0HOME=/srv/app\0'), tty: 0, vpgid: child,
      loginuid: 1000, flags: 0, uid: 1000, trusted_exepath: exe, pgid: child, gid: 1000, filename: exe,
    });
    const files = ['/etc/ld.so.cache', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/locale/locale-archive', `/srv/app/data-${k % 50}.txt`,
      k % 97 === 0 ? '/etc/shadow' : '/etc/hosts', `/proc/${child}/status`];
    let fd = 3;
    for (const f of files) {
      this.ev('openat>', child, { dirfd: -100, name: f, flags: 1, mode: 0 });
      this.ev('openat', child, { fd, dirfd: -100, name: f, flags: 1, mode: 0, dev: 0x803, ino: 1000 + fd });
      this.raw(READ_X, child, [this.encode('INT64', 512), Buffer.from('data'), this.encode('INT64', fd), this.encode('UINT32', 512)]);
      this.raw(READ_X, child, [this.encode('INT64', 0), Buffer.alloc(0), this.encode('INT64', fd), this.encode('UINT32', 512)]);
      this.ev('close', child, { res: 0, fd });
      fd++;
    }
    if (k % 4 === 0) {
      this.ev('socket', child, { fd, domain: 2, type: 1, proto: 0, flags: 0 });
      const addr = Buffer.from([2, 10, 0, 0, 7, 0x50, 0]);
      this.ev('connect>', child, { fd, addr });
      const tuple = Buffer.from([2, 10, 0, 0, 5, 0x30, 0xd4, 10, 0, 0, 7, 0x50, 0]);
      this.ev('connect', child, { res: 0, tuple, fd, addr });
      this.ev('close', child, { res: 0, fd });
    }
    this.ev('procexit>', child, { status: 0, ret: 0, sig: 0, core: 0, reaper_tid: shell });
  }

  /** Writes runs until at least `n` events are written. */
  fill(n: number, shells: number[]): void {
    for (let k = 0; this.events < n; k++) this.run(shells[k % shells.length], k);
  }
}

/** A small host: init, shells, services with a few fds, for the state blocks. */
export function hostThreads(): { threads: ThreadTable; shells: number[] } {
  const threads = new ThreadTable();
  const shells: number[] = [];
  for (let pid = 1; pid <= 200; pid++) {
    const t = threads.create(pid);
    t.pid = pid;
    t.ppid = pid === 1 ? 0 : 1;
    t.comm = pid === 1 ? 'systemd' : pid % 10 === 0 ? 'bash' : `svc${pid}`;
    t.exe = pid % 10 === 0 ? '/usr/bin/bash' : `/usr/sbin/svc${pid}`;
    t.exepath = t.exe;
    t.cwd = '/srv/app';
    t.uid = 1000;
    t.gid = 1000;
    t.complete = true;
    if (pid % 10 === 0) shells.push(pid);
  }
  return { threads, shells };
}
