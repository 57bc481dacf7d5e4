// Reads a capture stream block by block as chunks arrive (from the file or
// from gunzip), without holding more than the block being read: complete
// blocks are handed on at once, a partial one waits for the next chunk.
import {
  type EventBlockLayout,
  eventBlockLayout, FDL_BLOCK_TYPE, FDL_BLOCK_TYPE_INT, FDL_BLOCK_TYPE_V2, IL_BLOCK_TYPE, IL_BLOCK_TYPE_INT, IL_BLOCK_TYPE_V2,
  MI_BLOCK_TYPE, MI_BLOCK_TYPE_INT, procListVersion, SHB_BLOCK_TYPE, SHB_MAGIC, SHB_MAJOR, UL_BLOCK_TYPE, UL_BLOCK_TYPE_INT,
  UL_BLOCK_TYPE_V2,
} from './blockTypes';
import { Cursor, ScapError } from './scapError';
import { readFdList, readIfList, readMachineInfo, readProcList, readUserList, type ScapFd, type ScapGroup, type ScapInterface, type ScapMachine, type ScapThread, type ScapUser } from './stateBlocks';

/** a block bigger than this is taken for damage, not data (libs' largest are process lists) */
export const MAX_BLOCK_BYTES = 256 << 20;
const SHB_BODY = 16;

export interface BlockHandlers {
  onSection?(major: number, minor: number): void;
  onMachine?(m: ScapMachine): void;
  onThread?(t: ScapThread): void;
  onFd?(tid: number, f: ScapFd): void;
  onUser?(u: ScapUser): void;
  onGroup?(g: ScapGroup): void;
  onInterface?(i: ScapInterface): void;
  /** an event: at `at` in `buf`, `avail` bytes of block body from there; v2: header with nparams */
  onEvent(buf: Buffer, at: number, avail: number, v2: boolean, offset: number): void;
  /**
   * The chunk `buf` fed earlier is about to be overwritten with later bytes
   * of the stream: copy what is still needed from it. Without this handler
   * the feeder never reuses a chunk.
   */
  onRecycle?(buf: Buffer): void;
}

export interface BlockCounts {
  sections: number;
  eventBlocks: number;
  /** event blocks by block type name, e.g. `EV_BLOCK_TYPE_V2` */
  eventBlockTypes: Map<string, number>;
  /** state blocks by kind and version, e.g. `process list v9` */
  stateBlocks: Map<string, number>;
  /** blocks of types libs does not define, skipped as libs skips them */
  unknownBlocks: number;
}

export class BlockReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** stream offset of buf[0] */
  private base = 0;
  /** the bytes not yet read into blocks: the unread end of buf, then the chunks fed since */
  private parts: Buffer[] = [];
  private partBytes = 0;
  /** how many unread bytes the next block needs before it can be read: its header, then its total length */
  private wanted = 8;
  readonly counts: BlockCounts = { sections: 0, eventBlocks: 0, eventBlockTypes: new Map(), stateBlocks: new Map(), unknownBlocks: 0 };
  private layoutType = -1;
  private layout: EventBlockLayout | undefined;
  private runType = -1;
  private runLength = 0;

  constructor(private readonly h: BlockHandlers) {}

  /** bytes of the stream consumed into whole blocks */
  get offset(): number {
    return this.base + this.pos;
  }

  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    // a block arriving in many chunks (gunzip gives 256 KiB at a time) is joined once, when whole:
    // joining what is left to each new chunk copies a big block over and over, quadratic in its size
    this.parts.push(chunk);
    this.partBytes += chunk.length;
    if (this.partBytes < this.wanted) return;
    // only the blocks that straddle chunks are copied (each once, alone): joining the unread end
    // to the whole new chunk would copy every byte of the stream once more
    while (this.parts.length > 1) {
      const joined = Buffer.concat(this.parts, this.wanted);
      this.run(joined);
      const used = this.pos;
      this.base += used;
      this.pos = 0;
      this.dropFront(used);
      if (this.partBytes < this.wanted) return;
    }
    this.run(this.parts[0]);
    const left = this.buf.length - this.pos;
    this.base += this.pos;
    this.pos = 0;
    this.parts = left > 0 ? [this.buf.subarray(this.buf.length - left)] : [];
    this.partBytes = left;
  }

  /** read the whole blocks at the start of `buf`, which holds the unread bytes from `base` on */
  private run(buf: Buffer): void {
    this.buf = buf;
    this.pos = 0;
    this.parse();
  }

  /** forget the first `n` unread bytes (read into blocks) */
  private dropFront(n: number): void {
    const parts = this.parts;
    this.partBytes -= n;
    let k = 0;
    while (n > 0 && n >= parts[k].length) n -= parts[k++].length;
    if (k > 0) parts.splice(0, k);
    if (n > 0) parts[0] = parts[0].subarray(n);
  }

  /**
   * Whether `buf`, fed earlier, may now be overwritten: false while unread
   * bytes of a block still lie in it, or when the handlers cannot release it
   * (no onRecycle); else the handlers are told first.
   */
  recycle(buf: Buffer): boolean {
    const h = this.h;
    if (h.onRecycle === undefined) return false;
    for (const p of this.parts) if (p.buffer === buf.buffer) return false;
    h.onRecycle(buf);
    return true;
  }

  /** Counts complete up to the last block read (also after an error). */
  settleCounts(): BlockCounts {
    this.endRun(-1);
    return this.counts;
  }

  /** The stream ended: anything left is a block cut short. */
  end(): void {
    this.settleCounts();
    const left = this.partBytes;
    if (this.counts.sections === 0) throw new ScapError(left === 0 ? 'empty capture' : `not a scap capture: ${left} bytes, no section header block`, 0);
    if (left === 0) return;
    if (left < 8) throw new ScapError(`truncated capture: ${left} bytes of a block header`, this.offset);
    const head = Buffer.concat(this.parts, 8);
    throw new ScapError(`truncated capture: the block of type 0x${head.readUInt32LE(0).toString(16)} is ${head.readUInt32LE(4)} bytes, the capture ends after ${left}`, this.offset);
  }

  private parse(): void {
    const buf = this.buf;
    // DataView reads compile to plain loads; Buffer's readUInt32LE checks and assembles bytes
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let pos = this.pos;
    const h = this.h;
    this.wanted = 8;
    while (buf.length - pos >= 8) {
      const type = dv.getUint32(pos, true);
      const total = dv.getUint32(pos + 4, true);
      const at = this.base + pos;
      if (this.counts.sections === 0 && type !== SHB_BLOCK_TYPE) {
        throw new ScapError(`not a scap capture: the first block has type 0x${type.toString(16)}, a capture begins with a section header block (0x0a0d0d0a)`, at);
      }
      if (total < 12) throw new ScapError(`corrupt block: type 0x${type.toString(16)} has total length ${total}, less than a block's 12`, at);
      if (total > MAX_BLOCK_BYTES) throw new ScapError(`corrupt block: type 0x${type.toString(16)} has total length ${total} (more than ${MAX_BLOCK_BYTES})`, at);
      if (buf.length - pos < total) {
        this.wanted = total;
        break;
      }
      const trailer = dv.getUint32(pos + total - 4, true);
      if (trailer !== total) throw new ScapError(`corrupt block: type 0x${type.toString(16)}, total length ${total} in its header, ${trailer} in its trailer`, at);
      const body = pos + 8;
      const bodyLen = total - 12;
      // event blocks of one type follow each other: look the layout up when the type changes
      if (type !== this.layoutType) {
        this.layoutType = type;
        this.layout = eventBlockLayout(type);
      }
      const ev = this.layout;
      if (ev !== undefined) {
        this.counts.eventBlocks++;
        // counted by runs of one type: a map update per event would cost more than the rest of the block
        if (type !== this.runType) this.endRun(type);
        this.runLength++;
        if (bodyLen < ev.eventAt) throw new ScapError(`event block of ${total} bytes holds no event`, at);
        this.pos = pos;
        h.onEvent(buf, body + ev.eventAt, bodyLen - ev.eventAt, ev.v2, at);
      } else {
        this.pos = pos;
        this.stateBlock(type, new Cursor(buf, body, body + bodyLen, this.base, `block 0x${type.toString(16)}`), at);
      }
      pos += total;
    }
    this.pos = pos;
  }

  /** the run of event blocks of one type ends (next: the type of the next run, -1 at the end) */
  private endRun(next: number): void {
    if (this.runLength > 0) {
      const name = eventBlockLayout(this.runType)!.name;
      this.counts.eventBlockTypes.set(name, (this.counts.eventBlockTypes.get(name) ?? 0) + this.runLength);
    }
    this.runType = next;
    this.runLength = 0;
  }

  private count(kind: string): void {
    this.counts.stateBlocks.set(kind, (this.counts.stateBlocks.get(kind) ?? 0) + 1);
  }

  private stateBlock(type: number, c: Cursor, at: number): void {
    const h = this.h;
    if (type === SHB_BLOCK_TYPE) {
      if (c.left < SHB_BODY) throw new ScapError(`section header block too short: ${c.left} bytes`, at);
      const magic = c.u32('byte-order magic');
      if (magic === 0x4d3c2b1a) throw new ScapError('big-endian capture: libs reads little-endian captures only', at);
      if (magic !== SHB_MAGIC) throw new ScapError(`section header block: bad magic 0x${magic.toString(16)} (expected 0x1a2b3c4d)`, at);
      const major = c.u16('major version');
      const minor = c.u16('minor version');
      if (major > SHB_MAJOR) throw new ScapError(`capture format ${major}.${minor} is newer than the ${SHB_MAJOR}.x this reader knows`, at);
      this.counts.sections++;
      h.onSection?.(major, minor);
      return;
    }
    const plv = procListVersion(type);
    if (plv > 0) {
      this.count(`process list v${plv}`);
      readProcList(c, plv, (t) => h.onThread?.(t));
      return;
    }
    switch (type) {
      case MI_BLOCK_TYPE:
      case MI_BLOCK_TYPE_INT:
        this.count('machine info');
        h.onMachine?.(readMachineInfo(c));
        return;
      case FDL_BLOCK_TYPE:
      case FDL_BLOCK_TYPE_INT:
      case FDL_BLOCK_TYPE_V2:
        this.count(`fd list v${type === FDL_BLOCK_TYPE_V2 ? 2 : 1}`);
        readFdList(c, type, (tid, f) => h.onFd?.(tid, f));
        return;
      case UL_BLOCK_TYPE:
      case UL_BLOCK_TYPE_INT:
      case UL_BLOCK_TYPE_V2:
        this.count(`user list v${type === UL_BLOCK_TYPE_V2 ? 2 : 1}`);
        readUserList(c, type, (u) => h.onUser?.(u), (g) => h.onGroup?.(g));
        return;
      case IL_BLOCK_TYPE:
      case IL_BLOCK_TYPE_INT:
      case IL_BLOCK_TYPE_V2:
        this.count(`interface list v${type === IL_BLOCK_TYPE_V2 ? 2 : 1}`);
        readIfList(c, type, (i) => h.onInterface?.(i));
        return;
      default:
        // as libs: a block type it does not know is skipped
        this.counts.unknownBlocks++;
    }
  }
}
