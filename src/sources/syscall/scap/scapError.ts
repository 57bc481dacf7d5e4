// A capture file that cannot be read on: what was wrong and at which byte of
// the (decompressed) capture stream, so a user can find the damage.

export class ScapError extends Error {
  constructor(
    readonly reason: string,
    /** byte offset in the capture stream (after gunzip for a .gz file) */
    readonly offset: number,
  ) {
    super(`${reason} (at byte ${offset})`);
    this.name = 'ScapError';
  }
}

/** Bounds-checked little-endian reads over part of a buffer; errors carry the stream offset. */
export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
    /** stream offset of buf[0] */
    readonly base: number,
    /** what is being read, for errors */
    readonly what: string,
  ) {}

  get left(): number {
    return this.end - this.pos;
  }

  need(n: number, field: string): void {
    if (this.pos + n > this.end) throw new ScapError(`${this.what}: ${field} needs ${n} bytes, ${this.end - this.pos} left`, this.base + this.pos);
  }

  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** a u64 as a number (exact below 2^53; tids, pids, inodes) */
  u64(field: string): number {
    this.need(8, field);
    const v = this.buf.readUInt32LE(this.pos + 4) * 4294967296 + this.buf.readUInt32LE(this.pos);
    this.pos += 8;
    return v;
  }

  /** an i64 as a number (vtid, vpid: -1 when unknown) */
  i64(field: string): number {
    this.need(8, field);
    const v = this.buf.readInt32LE(this.pos + 4) * 4294967296 + this.buf.readUInt32LE(this.pos);
    this.pos += 8;
    return v;
  }

  big(field: string): bigint {
    this.need(8, field);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  bytes(n: number, field: string): Buffer {
    this.need(n, field);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** u16 length, then that many bytes of text (not NUL-terminated on file; a trailing NUL is dropped) */
  str16(field: string): string {
    const n = this.u16(`${field} length`);
    const b = this.bytes(n, field);
    const end = n > 0 && b[n - 1] === 0 ? n - 1 : n;
    return b.toString('utf8', 0, end);
  }

  /** u16 length, then NUL-separated strings (args, env, cgroups) */
  list16(field: string): string[] {
    const n = this.u16(`${field} length`);
    const b = this.bytes(n, field);
    if (n === 0) return [];
    const items = b.toString('utf8').split('\0');
    if (items[items.length - 1] === '') items.pop();
    return items;
  }
}
