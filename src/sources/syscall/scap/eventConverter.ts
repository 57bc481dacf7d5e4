// Turns a capture's events into the layout Vigil's decoder and state tracker
// read: libs' current exit events (eventTable.ts) with every parameter.
//
// Captures from older drivers carry older layouts: an event of the same name
// under an older code (execve_8 .. execve_19, clone_11 .. clone_20, accept,
// dup, openat, bpf...), fewer parameters under the same code (parameters are
// only ever appended), a header without nparams (v1 event blocks), and
// parameters on the enter event that the exit later took over (close's fd,
// openat's path and flags). As libs' converter does, each parameter of the
// current layout is taken by name from the exit, else from the same thread's
// enter of that syscall, else left empty. Events of types Vigil does not
// decode are counted by name and skipped; codes libs does not know, counted.
import { HEADER_LEN, MAX_PARAMS } from '../decode';
import { EVENT_LIST, type EventInfo } from '../eventTable';
import { EF_LARGE_PAYLOAD, LIBS_EVENTS, type LibsEvent } from './libsEventTable';
import { ScapError } from './scapError';

/**
 * The v2 header length and parameter bound, read once from the imports: under
 * esbuild's CommonJS interop (tsx, which the benches run under) each use of an
 * imported binding is two getter calls, and these are read per parameter.
 */
const V2_HEADER_LEN = HEADER_LEN;
const MAX_PARAMETERS = MAX_PARAMS;
/** the v1 event header: ts, tid, len, type (no nparams) */
const V1_HEADER_LEN = 22;

/** enters kept at most, one per thread */
const MAX_STASHED = 65536;

/** parameter names that changed between versions: current name -> older names */
const OLDER_NAMES: Readonly<Record<string, readonly string[]>> = {
  oldfd: ['fd'],
  fd: ['res_or_fd', 'res'],
};

const enum Kind {
  /** libs does not know the code */
  Unknown,
  /** Vigil does not decode this type */
  Unhandled,
  /** an exit (or an enter the tracker reads) of a type Vigil decodes */
  Take,
  /** an enter whose parameters a later exit may need */
  Stash,
}

interface Plan {
  kind: Kind;
  /** the current event this one becomes */
  target: EventInfo | undefined;
  /** the target's parameters: index in this event, or -1 */
  fromSelf: Int16Array;
  libs: LibsEvent | undefined;
  /** an enter event handed on as it is */
  enter?: boolean;
}

/**
 * An enter kept for its exit: where it lies in the stream chunk that holds it,
 * or in a copy of its own once that chunk is reused (release).
 */
interface Stashed {
  tid: number;
  name: string;
  libs: LibsEvent;
  buf: Buffer;
  /** where its parameter lengths start */
  lensAt: number;
  n: number;
}

/** where converted events go: a batch buffer with room made on request */
export interface EventSink {
  /** make room for `n` bytes (flushing the batch if needed) and return where to write */
  reserve(n: number): { buf: Buffer; at: number };
  /** `n` bytes were written at the place reserve gave */
  commit(n: number): void;
  /**
   * An event already in the current layout, `len` bytes at `at` in `buf`,
   * checked as libs checks it: read it where it lies (valid only during the
   * call). Without this, such events are copied through reserve and commit.
   */
  inPlace?(buf: Buffer, at: number, len: number): void;
}

const vigilByKey = new Map<string, EventInfo>();
for (const e of EVENT_LIST) vigilByKey.set(`${e.name}${e.dir}`, e);

function indexByName(libs: LibsEvent, name: string): number {
  const i = libs.params.indexOf(name);
  if (i >= 0) return i;
  for (const old of OLDER_NAMES[name] ?? []) {
    const j = libs.params.indexOf(old);
    if (j >= 0) return j;
  }
  return -1;
}

function planFor(code: number): Plan {
  const libs = LIBS_EVENTS[code];
  const empty = new Int16Array(0);
  if (!libs) return { kind: Kind.Unknown, target: undefined, fromSelf: empty, libs };
  if (libs.flags & EF_LARGE_PAYLOAD) return { kind: Kind.Unhandled, target: undefined, fromSelf: empty, libs };
  const dir = libs.dir === 'E' ? '>' : '<';
  const same = vigilByKey.get(`${libs.name}${dir}`);
  if (libs.dir === 'E' && libs.name !== 'procexit') {
    // an enter the tracker reads itself only in its current layout; any enter of a decoded type may fill its exit
    if (same && same.code === code) return { kind: Kind.Take, target: same, fromSelf: mapping(libs, same), libs, enter: true };
    return vigilByKey.has(`${libs.name}<`) ? { kind: Kind.Stash, target: undefined, fromSelf: empty, libs } : { kind: Kind.Unhandled, target: undefined, fromSelf: empty, libs };
  }
  const target = same ?? (libs.name === 'procexit' ? vigilByKey.get('procexit>') : undefined);
  if (!target) return { kind: Kind.Unhandled, target: undefined, fromSelf: empty, libs };
  return { kind: Kind.Take, target, fromSelf: mapping(libs, target), libs };
}

function mapping(from: LibsEvent, to: EventInfo): Int16Array {
  const m = new Int16Array(to.params.length);
  to.params.forEach((p, i) => {
    let j = indexByName(from, p.name);
    // the return value is parameter 0 whatever it was called (res, fd, res_or_fd)
    if (j < 0 && i === 0 && from.params.length > 0 && from.dir === 'X') j = 0;
    m[i] = j;
  });
  return m;
}

export interface ConvertStats {
  /** events handed on unchanged */
  passed: number;
  /** events rewritten from an older layout */
  converted: number;
  /** events of codes libs does not know */
  unknownCode: number;
  /** events of types Vigil does not decode, by evt.type */
  unhandled: Map<string, number>;
}

export class EventConverter {
  readonly stats: ConvertStats = { passed: 0, converted: 0, unknownCode: 0, unhandled: new Map() };
  private readonly plans: (Plan | undefined)[] = [];
  /**
   * The last enter kept, and older ones of other threads: an exit nearly
   * always follows its thread's enter at once, so one slot serves most and
   * the map stays small.
   */
  private last: Stashed | undefined;
  private readonly stash = new Map<number, Stashed>();
  private readonly lens = new Uint32Array(256);
  /** a DataView of the buffer events last came from (the reader's chunk): plain loads, not Buffer's checked reads */
  private dvOf: Buffer | undefined;
  private dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

  constructor(private readonly sink: EventSink) {}

  /**
   * The event at `at` in `buf`, `avail` bytes of block body from there; `v2`:
   * its header has nparams. `offset` is its place in the stream, for errors.
   */
  take(buf: Buffer, at: number, avail: number, v2: boolean, offset: number): void {
    const hdr = v2 ? V2_HEADER_LEN : V1_HEADER_LEN;
    if (avail < hdr) throw new ScapError(`event header needs ${hdr} bytes, the block holds ${avail}`, offset);
    if (buf !== this.dvOf) {
      this.dvOf = buf;
      this.dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    const dv = this.dv;
    const type = dv.getUint16(at + 20, true);
    const plan = this.plans[type] ?? (this.plans[type] = planFor(type));
    if (plan.kind === Kind.Unknown) {
      this.stats.unknownCode++;
      return;
    }
    if (plan.kind === Kind.Unhandled) {
      const name = plan.libs!.name;
      this.stats.unhandled.set(name, (this.stats.unhandled.get(name) ?? 0) + 1);
      return;
    }
    const len = dv.getUint32(at + 16, true);
    const n = v2 ? this.checkV2(buf, at, avail, len, offset) : this.countV1(buf, at, avail, len, plan.libs!, offset);
    const tid = dv.getUint32(at + 8, true) + dv.getUint32(at + 12, true) * 4294967296;
    if (plan.kind === Kind.Stash) {
      this.keep(tid, buf, at + hdr, n, plan.libs!);
      return;
    }
    const target = plan.target!;
    if (plan.enter) {
      // the tracker reads this enter itself; an older exit may still need its parameters
      this.keep(tid, buf, at + hdr, n, plan.libs!);
    }
    const enter = !plan.enter && (this.last !== undefined || this.stash.size > 0) ? this.takeStash(tid, plan.libs!.name) : undefined;
    if (v2 && type === target.code && n >= target.params.length && n <= MAX_PARAMETERS) {
      this.stats.passed++;
      const sink = this.sink;
      if (sink.inPlace !== undefined) {
        sink.inPlace(buf, at, len);
        return;
      }
      const { buf: out, at: o } = sink.reserve(len);
      buf.copy(out, o, at, at + len);
      sink.commit(len);
      return;
    }
    this.rewrite(buf, at, hdr, n, plan, target, enter);
  }

  /** v2 events are checked as libs checks them before use: lengths within the event */
  private checkV2(buf: Buffer, at: number, avail: number, len: number, offset: number): number {
    const dv = this.dv;
    const n = dv.getUint32(at + 22, true);
    if (len < V2_HEADER_LEN) throw new ScapError(`invalid event: length ${len} is smaller than the event header (${V2_HEADER_LEN})`, offset);
    if (len > avail) throw new ScapError(`invalid event: length ${len} is larger than the ${avail} bytes of its block`, offset);
    if (n > this.lens.length || V2_HEADER_LEN + 2 * n > len) throw new ScapError(`invalid event: ${n} parameters do not fit in its length ${len}`, offset);
    let p = V2_HEADER_LEN + 2 * n;
    for (let i = 0; i < n; i++) {
      const l = dv.getUint16(at + V2_HEADER_LEN + 2 * i, true);
      this.lens[i] = l;
      p += l;
    }
    if (p > len) throw new ScapError(`invalid event: parameters take ${p} bytes, its length is ${len}`, offset);
    return n;
  }

  /** v1 events have no nparams: the count whose lengths add up to the event's length (as libs finds it) */
  private countV1(buf: Buffer, at: number, avail: number, len: number, libs: LibsEvent, offset: number): number {
    if (len < V1_HEADER_LEN || len > avail) throw new ScapError(`invalid v1 event: length ${len} (${avail} bytes in its block)`, offset);
    for (let n = libs.params.length; n >= 0; n--) {
      let p = V1_HEADER_LEN + 2 * n;
      if (p > len) continue;
      for (let i = 0; i < n; i++) {
        const l = buf.readUInt16LE(at + V1_HEADER_LEN + 2 * i);
        this.lens[i] = l;
        p += l;
      }
      if (p === len) return n;
      if (p < len) break;
    }
    throw new ScapError(`corrupt v1 event: no parameter count of ${libs.name} adds up to its length ${len}`, offset);
  }

  private keep(tid: number, buf: Buffer, lensAt: number, n: number, libs: LibsEvent): void {
    const prev = this.last;
    if (this.stash.size > 0) this.stash.delete(tid);
    if (prev !== undefined && prev.tid !== tid) {
      this.stash.set(prev.tid, prev);
      // threads that died between enter and exit leave theirs behind: forget the oldest
      if (this.stash.size > MAX_STASHED) this.stash.delete(this.stash.keys().next().value as number);
    }
    this.last = { tid, name: libs.name, libs, buf, lensAt, n };
  }

  /**
   * The chunk `buf` is about to be overwritten: the enters kept from it are
   * copied out (few: an exit nearly always follows its enter in the same chunk).
   */
  release(buf: Buffer): void {
    const ab = buf.buffer;
    if (this.last !== undefined && this.last.buf.buffer === ab) this.ownCopy(this.last);
    if (this.stash.size > 0) for (const s of this.stash.values()) if (s.buf.buffer === ab) this.ownCopy(s);
  }

  private ownCopy(s: Stashed): void {
    let end = s.lensAt + 2 * s.n;
    for (let q = 0; q < s.n; q++) end += s.buf.readUInt16LE(s.lensAt + 2 * q);
    s.buf = Buffer.from(s.buf.subarray(s.lensAt, end));
    s.lensAt = 0;
  }

  private takeStash(tid: number, name: string): Stashed | undefined {
    let s = this.last;
    if (s !== undefined && s.tid === tid) this.last = undefined;
    else {
      if (this.stash.size === 0) return undefined;
      s = this.stash.get(tid);
      if (s === undefined) return undefined;
      this.stash.delete(tid);
    }
    return s.name === name ? s : undefined;
  }

  private rewrite(buf: Buffer, at: number, hdr: number, n: number, plan: Plan, target: EventInfo, enter: Stashed | undefined): void {
    const params = target.params;
    const count = params.length;
    // where each target parameter comes from: [source buffer, start, length]
    const srcBuf: Buffer[] = [];
    const srcAt: number[] = [];
    const srcLen: number[] = [];
    const starts: number[] = [];
    let p = at + hdr + 2 * n;
    for (let i = 0; i < n; i++) {
      starts.push(p);
      p += this.lens[i];
    }
    let body = 0;
    for (let i = 0; i < count; i++) {
      const j = plan.fromSelf[i];
      if (j >= 0 && j < n && this.lens[j] > 0) {
        srcBuf.push(buf);
        srcAt.push(starts[j]);
        srcLen.push(this.lens[j]);
      } else if (enter !== undefined) {
        const k = indexByName(enter.libs, params[i].name);
        if (k >= 0 && k < enter.n) {
          const eb = enter.buf;
          let o = enter.lensAt + 2 * enter.n;
          for (let q = 0; q < k; q++) o += eb.readUInt16LE(enter.lensAt + 2 * q);
          srcBuf.push(eb);
          srcAt.push(o);
          srcLen.push(eb.readUInt16LE(enter.lensAt + 2 * k));
        } else {
          srcBuf.push(buf);
          srcAt.push(0);
          srcLen.push(0);
        }
      } else {
        srcBuf.push(buf);
        srcAt.push(0);
        srcLen.push(0);
      }
      body += srcLen[i];
    }
    const len = HEADER_LEN + 2 * count + body;
    const { buf: out, at: o } = this.sink.reserve(len);
    buf.copy(out, o, at, at + 16);
    out.writeUInt32LE(len, o + 16);
    out.writeUInt16LE(target.code, o + 20);
    out.writeUInt32LE(count, o + 22);
    let w = o + HEADER_LEN + 2 * count;
    for (let i = 0; i < count; i++) {
      out.writeUInt16LE(srcLen[i], o + HEADER_LEN + 2 * i);
      srcBuf[i].copy(out, w, srcAt[i], srcAt[i] + srcLen[i]);
      w += srcLen[i];
    }
    this.sink.commit(len);
    this.stats.converted++;
  }
}
