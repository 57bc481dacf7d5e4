// Writes a capture file libs reads (and so sysdig and Falco): a section
// header, the state blocks (machine info, interfaces, users and groups, the
// process list, each process's fds) in the newest versions libs writes, then
// one EV_BLOCK_TYPE_V2 block per event. `.gz` names are gzip-compressed.
// Blocks are gathered in a buffer and handed to the file stream in large
// writes; close() waits until everything is on disk.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as zlib from 'node:zlib';
import type { EventView } from '../decode';
import type { ThreadTable } from '../state/threadTable';
import type { UserEntry } from '../state/userDb';
import {
  EV_BLOCK_TYPE_V2, FDL_BLOCK_TYPE_V2, IL_BLOCK_TYPE_V2, MI_BLOCK_TYPE, PL_BLOCK_TYPE_V9, SHB_BLOCK_TYPE, SHB_MAGIC, SHB_MAJOR, SHB_MINOR,
  UL_BLOCK_TYPE_V2,
} from './blockTypes';
import { enterLength, enterPlan, libsEventLength, writeLibsEnter, writeLibsEvent } from './libsEventLayout';
import { type ScapFd, ScapFdType, type ScapThread } from './stateBlocks';
import { fdToScap, ipBytes, threadToScap } from './threadState';

const FLUSH_BYTES = 1 << 20;
/** what libs' readers accept (scap_limits.h; the reader refuses the file past them) */
const MAX_PATH = 1024;
const MAX_FD_NAME = 1023;
const MAX_LIST = 4096;
const MAX_CREDENTIAL = 255;

/** Gathers little-endian fields into growing chunks. */
class Bytes {
  buf = Buffer.allocUnsafe(FLUSH_BYTES * 2);
  len = 0;

  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
  }
  u64(v: number | bigint): void {
    this.room(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.len);
    this.len += 8;
  }
  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  /** u16 length then the text, at most `max` bytes (libs writes proclist strings without their NUL) */
  str16(s: string, max: number): void {
    const b = Buffer.from(s);
    const n = Math.min(b.length, max);
    this.u16(n);
    this.raw(b.subarray(0, n));
  }
  /** NUL-terminated items with their u16 length, whole items only, at most `max` bytes */
  list16(items: readonly string[], max: number): void {
    let text = '';
    let bytes = 0;
    for (const item of items) {
      const n = Buffer.byteLength(item) + 1;
      if (bytes + n > max) break;
      text += `${item}\0`;
      bytes += n;
    }
    this.str16(text, max);
  }
  pad(): void {
    while (this.len % 4 !== 0) this.u8(0);
  }
  /** start a block; returns where its header is */
  begin(type: number): number {
    const at = this.len;
    this.u32(type);
    this.u32(0);
    return at;
  }
  /** pad, trail and patch the block begun at `at` */
  end(at: number): void {
    this.pad();
    const total = this.len - at + 4;
    this.buf.writeUInt32LE(total, at + 4);
    this.u32(total);
  }
  /** reserve an entry's length field; returns its place */
  lengthField(): number {
    const at = this.len;
    this.u32(0);
    return at;
  }
  /** the entry begun at `at` (its length field) ends here: libs counts the field itself */
  endEntry(at: number, extra = 0): void {
    this.buf.writeUInt32LE(this.len - at + extra, at);
  }
}

export interface CaptureState {
  threads: ThreadTable;
  users: Iterable<[number, UserEntry]>;
  groups: Iterable<[number, string]>;
}

export interface WriterStats {
  events: number;
  /** bytes handed to the file (before gzip) */
  bytes: number;
}

export class ScapWriter {
  readonly stats: WriterStats = { events: 0, bytes: 0 };
  private readonly out = new Bytes();
  private readonly sink: NodeJS.WritableStream;
  private readonly file: fs.WriteStream;
  private failure: Error | undefined;
  private closed = false;

  constructor(readonly path: string, opts: { gzip?: boolean } = {}) {
    this.file = fs.createWriteStream(path);
    const gzip = opts.gzip ?? path.endsWith('.gz');
    if (gzip) {
      const gz = zlib.createGzip({ level: 6 });
      gz.pipe(this.file);
      gz.on('error', (e) => (this.failure ??= e));
      this.sink = gz;
    } else {
      this.sink = this.file;
    }
    this.file.on('error', (e) => (this.failure ??= e));
  }

  /** The section header and the state blocks; call once, before any event. */
  writeState(state: CaptureState): void {
    const o = this.out;
    let at = o.begin(SHB_BLOCK_TYPE);
    o.u32(SHB_MAGIC);
    o.u16(SHB_MAJOR);
    o.u16(SHB_MINOR);
    o.u64(-1n);
    o.end(at);

    at = o.begin(MI_BLOCK_TYPE);
    o.u32(os.cpus().length);
    o.u64(os.totalmem());
    o.u64(4194304);
    const host = Buffer.alloc(128);
    host.write(os.hostname().slice(0, 127));
    o.raw(host);
    o.u64(BigInt(Date.now() - Math.round(os.uptime() * 1000)) * 1_000_000n);
    o.u64(0);
    o.u64(0);
    o.u64(0);
    o.end(at);

    this.interfaces();
    this.users(state);

    const threads = [...state.threads.values()].filter((t) => t.complete);
    at = o.begin(PL_BLOCK_TYPE_V9);
    for (const t of threads) this.procEntry(threadToScap(t));
    o.end(at);
    for (const t of threads) {
      if (t.tid !== t.pid) continue;
      const fds: ScapFd[] = [];
      for (const [fd, f] of t.fds.entries()) {
        const s = fdToScap(fd, f);
        if (s) fds.push(s);
      }
      at = o.begin(FDL_BLOCK_TYPE_V2);
      o.u64(t.tid);
      for (const f of fds) this.fdEntry(f);
      o.end(at);
    }
    this.flushIfFull(0);
  }

  /** One event, from the decoder's view (after the enter older readers need, see enterPlan). */
  writeEvent(v: EventView): void {
    const plan = enterPlan(v.type);
    if (plan !== undefined) {
      const elen = enterLength(v, plan);
      const at = this.eventBlock(elen);
      writeLibsEnter(v, plan, this.out.buf, at, elen);
      this.endEventBlock(at, elen);
    }
    const len = libsEventLength(v);
    const at = this.eventBlock(len);
    writeLibsEvent(v, this.out.buf, at, len);
    this.endEventBlock(at, len);
    this.stats.events++;
    this.flushIfFull(FLUSH_BYTES);
  }

  /** opens an EV_BLOCK_TYPE_V2 block for an event of `len` bytes; returns where the event goes */
  private eventBlock(len: number): number {
    const o = this.out;
    const total = (8 + 2 + len + 3 + 4) & ~3;
    o.room(total);
    const at = o.len;
    o.buf.writeUInt32LE(EV_BLOCK_TYPE_V2, at);
    o.buf.writeUInt32LE(total, at + 4);
    o.buf.writeUInt16LE(0, at + 8);
    return at + 10;
  }

  private endEventBlock(eventAt: number, len: number): void {
    const o = this.out;
    o.len = eventAt + len;
    o.pad();
    o.u32(o.buf.readUInt32LE(eventAt - 6));
  }

  /** Writes what is buffered and closes the file; rejects with the first write error. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.flushIfFull(0);
    return new Promise((resolve, reject) => {
      this.file.on('close', () => (this.failure ? reject(this.failure) : resolve()));
      this.sink.end();
    });
  }

  private flushIfFull(threshold: number): void {
    const o = this.out;
    if (o.len === 0 || o.len < threshold) return;
    if (this.failure) throw new Error(`writing ${this.path}: ${this.failure.message}`);
    this.sink.write(Buffer.from(o.buf.subarray(0, o.len)));
    this.stats.bytes += o.len;
    o.len = 0;
  }

  private interfaces(): void {
    const o = this.out;
    const at = o.begin(IL_BLOCK_TYPE_V2);
    for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
      for (const a of addrs ?? []) {
        const nameBytes = Buffer.from(name);
        const entry = o.lengthField();
        if (a.family === 'IPv4') {
          o.u16(1);
          o.u16(nameBytes.length);
          o.raw(Buffer.from(a.address.split('.').map(Number)));
          o.raw(Buffer.from(a.netmask.split('.').map(Number)));
          o.u32(0);
        } else {
          o.u16(2);
          o.u16(nameBytes.length);
          o.raw(ipBytes(a.address, true));
          o.raw(ipBytes(a.netmask, true));
          o.raw(Buffer.alloc(16));
        }
        o.u64(0);
        o.raw(nameBytes);
        // an interface entry's length leaves out its own field
        o.endEntry(entry, -4);
      }
    }
    o.end(at);
  }

  private users(state: CaptureState): void {
    const o = this.out;
    const at = o.begin(UL_BLOCK_TYPE_V2);
    for (const [uid, u] of state.users) {
      const e = o.lengthField();
      o.u8(0);
      o.u32(uid);
      o.u32(0);
      o.str16(u.name, MAX_CREDENTIAL);
      o.str16(u.home, MAX_CREDENTIAL);
      o.str16(u.shell, MAX_CREDENTIAL);
      o.endEntry(e);
    }
    for (const [gid, name] of state.groups) {
      const e = o.lengthField();
      o.u8(1);
      o.u32(gid);
      o.str16(name, MAX_CREDENTIAL);
      o.endEntry(e);
    }
    o.end(at);
  }

  private procEntry(t: ScapThread): void {
    const o = this.out;
    const e = o.lengthField();
    o.u64(t.tid);
    o.u64(t.pid);
    o.u64(t.ptid);
    o.u64(t.sid);
    o.u64(t.vpgid);
    o.str16(t.comm, MAX_PATH);
    o.str16(t.exe, MAX_PATH);
    o.str16(t.exepath, MAX_PATH);
    o.list16(t.args, MAX_LIST);
    o.str16(t.cwd, MAX_PATH);
    o.u64(t.fdlimit);
    o.u32(t.flags);
    o.u32(t.uid);
    o.u32(t.gid);
    o.u32(0);
    o.u32(0);
    o.u32(0);
    o.u64(0);
    o.u64(0);
    o.list16(t.env, MAX_LIST);
    o.u64(t.vtid);
    o.u64(t.vpid);
    o.list16(t.cgroups, MAX_LIST);
    o.str16(t.root, MAX_PATH);
    o.u64(t.pidnsInitStartTs);
    o.u32(t.tty);
    o.u32(t.loginuid);
    o.u8(t.exeWritable ? 1 : 0);
    o.u64(t.capInheritable);
    o.u64(t.capPermitted);
    o.u64(t.capEffective);
    o.u8(t.exeUpperLayer ? 1 : 0);
    o.u64(t.exeIno);
    o.u64(t.exeCtime);
    o.u64(t.exeMtime);
    o.u8(t.exeFromMemfd ? 1 : 0);
    o.u8(t.exeLowerLayer ? 1 : 0);
    o.u64(t.pgid);
    o.endEntry(e);
  }

  private fdEntry(f: ScapFd): void {
    const o = this.out;
    const e = o.lengthField();
    o.u64(f.fd);
    o.u64(f.ino);
    o.u8(f.type);
    switch (f.type) {
      case ScapFdType.Ipv4Sock:
      case ScapFdType.Ipv6Sock:
        o.raw(f.sip!);
        o.raw(f.dip!);
        o.u16(f.sport ?? 0);
        o.u16(f.dport ?? 0);
        o.u8(f.l4proto ?? 0);
        break;
      case ScapFdType.Ipv4ServSock:
      case ScapFdType.Ipv6ServSock:
        o.raw(f.sip!);
        o.u16(f.sport ?? 0);
        o.u8(f.l4proto ?? 0);
        break;
      case ScapFdType.UnixSock:
        o.u64(f.source ?? 0n);
        o.u64(f.dest ?? 0n);
        o.str16(f.name, MAX_FD_NAME);
        break;
      case ScapFdType.FileV2:
        o.u32(f.openFlags);
        o.str16(f.name, MAX_FD_NAME);
        o.u32(f.dev);
        break;
      default:
        o.str16(f.name, MAX_FD_NAME);
    }
    o.endEntry(e);
  }
}
