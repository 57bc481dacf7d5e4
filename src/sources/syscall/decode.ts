// The one decoder of Vigil's wire format (bpf/vigil_events.h): scap events back
// to back in a buffer. One EventView is moved from event to event; nothing is
// allocated per event unless a caller asks for a string, a list or an address.
//
//   header: ts u64 | tid u64 | len u32 | type u16 | nparams u32   (26 bytes, packed, LE)
//   then nparams u16 lengths, then the parameters back to back
//
// Which parameters the probe cut at their bound is not in the event (its
// layout stays libs'); the addon hands it over beside the batch as marks:
// u32 count, then (event offset, cut mask) pairs in batch order.
import { EventInfo, EVENTS } from './eventTable';
import { isV4Mapped, ipv6Text } from './ipv6Text';

/**
 * The table held here rather than read through the import per event: under
 * esbuild's CommonJS interop (tsx, which the benches run under) each use of
 * an imported binding is two getter calls.
 */
const INFO_BY_CODE: readonly (EventInfo | undefined)[] = EVENTS;

export const HEADER_LEN = 26;
export const MAX_PARAMS = 32;

/** Address families in sockaddr and tuple parameters (Falco's PPM_AF_*, equal to Linux's). */
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;

/** A socket tuple: source and destination; for unix sockets, `path` and the kernel socket ids. */
export interface SockTuple {
  family: number;
  sip?: string;
  sport?: number;
  dip?: string;
  dport?: number;
  path?: string;
  /** unix: kernel addresses of the two sockets, as hex text */
  source?: string;
  dest?: string;
}

/** A socket address: family and (ip, port) or unix path. */
export interface SockAddr {
  family: number;
  ip?: string;
  port?: number;
  path?: string;
}

export class DecodeError extends Error {
  constructor(
    message: string,
    /** byte offset of the event in the buffer */
    readonly offset: number,
  ) {
    super(`${message} (event at byte ${offset})`);
    this.name = 'DecodeError';
  }
}

const NO_MARKS = new Uint32Array(1);

export class EventView {
  private bytes: Buffer;
  private dv: DataView;
  /** where the current event starts */
  offset = 0;
  /** the current event's parameter starts; [nparams] is the event end */
  private readonly starts = new Int32Array(MAX_PARAMS + 1);
  private n = 0;
  private cachedInfo: EventInfo | undefined;
  /** the batch's cut marks (count, then offset/mask pairs); none by default */
  private marks: Uint32Array = NO_MARKS;
  /** index of the next mark not before the current event */
  private markAt = 0;
  /** bit i: parameter i of the current event was cut at its bound */
  private cut = 0;

  constructor(buffer: ArrayBufferLike) {
    this.bytes = Buffer.from(buffer as ArrayBuffer);
    this.dv = new DataView(buffer as ArrayBuffer);
  }

  /** Read events from another buffer (offsets are then from its start); its cut marks: none. */
  useBuffer(buffer: ArrayBufferLike): void {
    this.bytes = Buffer.from(buffer as ArrayBuffer);
    this.dv = new DataView(buffer as ArrayBuffer);
    this.marks = NO_MARKS;
    this.markAt = 0;
  }

  /** Read cut marks from `marks` (the probe's marks buffer, filled with each batch). */
  useMarks(marks: Uint32Array): void {
    if (marks.length < 1 || marks.length % 2 !== 1) throw new RangeError(`marks need a count and (offset, mask) pairs: got ${marks.length} u32s`);
    this.marks = marks;
    this.markAt = 0;
  }

  /** Point the view at the event at `offset`, which must end by `limit`; returns its length. */
  moveTo(offset: number, limit: number): number {
    if (offset + HEADER_LEN > limit) throw new DecodeError(`truncated header: ${limit - offset} bytes left, a header is ${HEADER_LEN}`, offset);
    const dv = this.dv;
    const len = dv.getUint32(offset + 16, true);
    const n = dv.getUint32(offset + 22, true);
    if (len < HEADER_LEN || offset + len > limit) throw new DecodeError(`bad event length ${len} (${limit - offset} bytes left)`, offset);
    if (n > MAX_PARAMS) throw new DecodeError(`bad parameter count ${n} (at most ${MAX_PARAMS})`, offset);
    let p = offset + HEADER_LEN + 2 * n;
    for (let i = 0; i < n; i++) {
      this.starts[i] = p;
      p += dv.getUint16(offset + HEADER_LEN + 2 * i, true);
    }
    if (p > offset + len) throw new DecodeError(`parameters overrun the event: ${p - offset} bytes of ${len}`, offset);
    this.starts[n] = p;
    this.offset = offset;
    this.n = n;
    this.cachedInfo = INFO_BY_CODE[dv.getUint16(offset + 20, true)];
    this.cut = this.marks[0] === 0 ? 0 : this.cutMaskAt(offset);
    return len;
  }

  /** Events are visited in order: walk the marks with a cursor, from the start again when moved back. */
  private cutMaskAt(offset: number): number {
    const m = this.marks;
    const count = Math.min(m[0], (m.length - 1) / 2);
    let k = this.markAt;
    if (k > count || (k > 0 && m[2 * k - 1] >= offset)) k = 0;
    while (k < count && m[1 + 2 * k] < offset) k++;
    this.markAt = k;
    return k < count && m[1 + 2 * k] === offset ? m[2 + 2 * k] : 0;
  }

  /** whether the probe cut parameter i at its bound (snaplen, or 4096 for paths) */
  truncated(i: number): boolean {
    return i >= 0 && i < this.n && ((this.cut >>> i) & 1) === 1;
  }

  /** whether the probe cut any parameter of this event */
  get isTruncated(): boolean {
    return this.cut !== 0;
  }

  /** nanoseconds since the epoch */
  get ts(): bigint {
    return this.dv.getBigUint64(this.offset, true);
  }
  get tid(): number {
    return this.u64AsNumber(this.offset + 8);
  }
  get len(): number {
    return this.dv.getUint32(this.offset + 16, true);
  }
  get type(): number {
    return this.dv.getUint16(this.offset + 20, true);
  }
  get nparams(): number {
    return this.n;
  }
  /** the event table's entry, or undefined for a code the table lacks */
  get info(): EventInfo | undefined {
    return this.cachedInfo;
  }
  get name(): string {
    return this.cachedInfo ? this.cachedInfo.name : `unknown(${this.type})`;
  }

  /** index of the named parameter, or -1 */
  index(name: string): number {
    const i = this.cachedInfo?.paramIndex.get(name);
    return i === undefined || i >= this.n ? -1 : i;
  }

  paramLen(i: number): number {
    return i < 0 || i >= this.n ? 0 : this.starts[i + 1] - this.starts[i];
  }

  /** an integer parameter, by its width (1, 2, 4 or 8 bytes; 8 signed), or undefined when empty */
  int(i: number): number | undefined {
    const len = this.paramLen(i);
    const at = this.starts[i];
    switch (len) {
      case 1: return this.dv.getUint8(at);
      case 2: return this.dv.getUint16(at, true);
      case 4: return this.signed32(i) ? this.dv.getInt32(at, true) : this.dv.getUint32(at, true);
      case 8: return this.dv.getInt32(at + 4, true) * 4294967296 + this.dv.getUint32(at, true);
      default: return undefined;
    }
  }

  /** an 8-byte parameter exactly, or undefined */
  bigint(i: number): bigint | undefined {
    return this.paramLen(i) === 8 ? this.dv.getBigInt64(this.starts[i], true) : undefined;
  }

  /** a text parameter without its terminating NUL, or undefined when empty */
  str(i: number): string | undefined {
    const len = this.paramLen(i);
    if (len === 0) return undefined;
    const at = this.starts[i];
    const end = this.bytes[at + len - 1] === 0 ? at + len - 1 : at + len;
    return this.bytes.toString('utf8', at, end);
  }

  /** the raw bytes of a parameter (a view into the batch: copy it to keep it) */
  raw(i: number): Uint8Array {
    const at = this.starts[i] ?? 0;
    return this.bytes.subarray(at, at + this.paramLen(i));
  }

  /** NUL-separated strings (argv, env), the last one possibly cut by the snaplen */
  strList(i: number): string[] {
    const s = this.str(i);
    return s === undefined ? [] : s.split('\0');
  }

  /** a SOCKADDR parameter */
  sockaddr(i: number): SockAddr | undefined {
    const len = this.paramLen(i);
    if (len === 0) return undefined;
    const at = this.starts[i];
    const family = this.bytes[at];
    if (family === AF_INET && len >= 7) return { family, ip: this.ipv4(at + 1), port: this.dv.getUint16(at + 5, true) };
    if (family === AF_INET6 && len >= 19) return { family, ip: this.ipv6(at + 1), port: this.dv.getUint16(at + 17, true) };
    if (family === AF_UNIX) return { family, path: this.cstr(at + 1, at + len) };
    return { family };
  }

  /** a SOCKTUPLE parameter */
  tuple(i: number): SockTuple | undefined {
    const len = this.paramLen(i);
    if (len === 0) return undefined;
    const at = this.starts[i];
    const family = this.bytes[at];
    const dv = this.dv;
    if (family === AF_INET && len >= 13) {
      return { family, sip: this.ipv4(at + 1), sport: dv.getUint16(at + 5, true), dip: this.ipv4(at + 7), dport: dv.getUint16(at + 11, true) };
    }
    if (family === AF_INET6 && len >= 37) {
      // as libs: both ends IPv4-mapped (an IPv4 peer of a dual-stack socket) is an IPv4 connection
      if (isV4Mapped(this.bytes, at + 1) && isV4Mapped(this.bytes, at + 19)) {
        return { family: AF_INET, sip: this.ipv4(at + 13), sport: dv.getUint16(at + 17, true), dip: this.ipv4(at + 31), dport: dv.getUint16(at + 35, true) };
      }
      return { family, sip: this.ipv6(at + 1), sport: dv.getUint16(at + 17, true), dip: this.ipv6(at + 19), dport: dv.getUint16(at + 35, true) };
    }
    if (family === AF_UNIX && len >= 17) {
      return {
        family,
        source: dv.getBigUint64(at + 1, true).toString(16),
        dest: dv.getBigUint64(at + 9, true).toString(16),
        path: this.cstr(at + 17, at + len),
      };
    }
    return { family };
  }

  /** one line, sysdig-like: `ts tid < openat fd=3 dirfd=-100 name=/etc/hosts ...` */
  format(): string {
    const info = this.cachedInfo;
    const parts: string[] = [];
    for (let i = 0; i < this.n; i++) {
      const p = info?.params[i];
      parts.push(`${p ? p.name : `p${i}`}=${this.formatParam(i)}${this.truncated(i) ? '...' : ''}`);
    }
    return `${this.ts} ${this.tid} ${info ? info.dir : '?'} ${this.name} ${parts.join(' ')}`;
  }

  private formatParam(i: number): string {
    if (this.paramLen(i) === 0) return '<NA>';
    const type = this.cachedInfo?.params[i]?.type;
    switch (type) {
      case 'CHARBUF':
      case 'FSPATH':
      case 'FSRELPATH':
        return JSON.stringify(this.str(i));
      case 'BYTEBUF':
        return JSON.stringify(this.str(i)?.replace(/\0/g, ' '));
      case 'SOCKADDR': {
        const a = this.sockaddr(i)!;
        return a.path !== undefined ? a.path : a.ip !== undefined ? `${a.ip}:${a.port}` : `family(${a.family})`;
      }
      case 'SOCKTUPLE': {
        const t = this.tuple(i)!;
        return t.path !== undefined ? `${t.source}->${t.dest} ${t.path}` : t.sip !== undefined ? `${t.sip}:${t.sport}->${t.dip}:${t.dport}` : `family(${t.family})`;
      }
      case 'FLAGS8':
      case 'FLAGS16':
      case 'FLAGS32':
      case 'MODE':
        return `0x${(this.int(i) ?? 0).toString(16)}`;
      case 'DYN':
        return this.paramLen(i) === 9 ? `0x${this.dv.getBigUint64(this.starts[i] + 1, true).toString(16)}` : '<dyn>';
      default:
        return String(this.int(i));
    }
  }

  // INT32 is the only 4-byte signed type here; the rest (UINT32, FLAGS32, UID, ...) are unsigned
  private signed32(i: number): boolean {
    return this.cachedInfo?.params[i]?.type === 'INT32';
  }

  private u64AsNumber(at: number): number {
    return this.dv.getUint32(at + 4, true) * 4294967296 + this.dv.getUint32(at, true);
  }

  private cstr(from: number, to: number): string {
    const nul = this.bytes.indexOf(0, from);
    return this.bytes.toString('utf8', from, nul >= 0 && nul < to ? nul : to);
  }

  private ipv4(at: number): string {
    const b = this.bytes;
    return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  }

  private ipv6(at: number): string {
    const groups: string[] = [];
    for (let k = 0; k < 16; k += 2) groups.push(this.dv.getUint16(at + k, false).toString(16));
    return ipv6Text(groups);
  }
}

/**
 * Visit each event of a batch (`length` bytes from the start of `view`'s buffer)
 * with the same view. Throws DecodeError on a malformed event.
 */
export function forEachEvent(view: EventView, length: number, visit: (ev: EventView) => void): number {
  let off = 0;
  let count = 0;
  while (off < length) {
    off += view.moveTo(off, length);
    visit(view);
    count++;
  }
  return count;
}
