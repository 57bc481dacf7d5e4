// falco.outputs.response (Falco's outputs.proto) written straight from an
// OutputRecord into one Buffer of the exact size: the gRPC output's hot path,
// where building a message object for protobufjs and its Writer's list of
// operations cost more allocation than the bytes themselves.
//
// Wire layout (field number << 3 | wire type; 0 varint, 2 length-delimited):
//   1 time              message google.protobuf.Timestamp { 1 seconds int64, 2 nanos int32 }
//   2 priority          enum falco.schema.priority (varint)
//   3 source_deprecated enum falco.schema.source (varint)
//   4 rule  5 output  7 hostname  9 source   string
//   6 output_fields     map<string,string>: one entry message { 1 key, 2 value } per pair
//   8 tags              repeated string, one field per tag
// Fields go in field-number order; a singular scalar or string holding its
// default (0, "") is left out, as proto3 encoders do (presence is implicit),
// while every tag and both halves of every map entry are written: the bytes
// are protobufjs's for the same response (test/outputs/grpc/responseEncoder.test.ts).
import type { OutputRecord } from '../channels/channel';

const TIME = 0x0a;
const PRIORITY = 0x10;
const SOURCE_DEPRECATED = 0x18;
const RULE = 0x22;
const OUTPUT = 0x2a;
const OUTPUT_FIELDS = 0x32;
const HOSTNAME = 0x3a;
const TAGS = 0x42;
const SOURCE = 0x4a;
const SECONDS = 0x08;
const NANOS = 0x10;
const KEY = 0x0a;
const VALUE = 0x12;

/** falco.schema.source: the sources the enum names; any other (a plugin's) is PLUGIN (3) */
const SOURCE_ENUM: Record<string, number> = { syscall: 0, k8s_audit: 1, internal: 2 };
const PLUGIN = 3;

const NS = 1_000_000_000n;
const TWO_64 = 1n << 64n;
const NO_FIELDS: Record<string, string> = {};

/** bytes of an unsigned varint holding `v` (0 <= v < 2^64, exact below 2^53) */
function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  let n = 4;
  v = Math.floor(v / 0x10000000);
  while (v > 0) {
    n++;
    v = Math.floor(v / 0x80);
  }
  return n;
}

function writeVarint(buf: Buffer, o: number, v: number): number {
  while (v >= 0x80) {
    buf[o++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[o++] = v;
  return o;
}

/** an int64 as the varint of its 64-bit two's complement (ten bytes when negative) */
function int64Bytes(v: bigint): number[] {
  let u = v < 0n ? v + TWO_64 : v;
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

// UTF-8 lengths of the strings of the message being encoded, in the order they
// are written: measured first to size the Buffer, then read back (`at`) writing
let lengths = new Int32Array(64);
let count = 0;
let at = 0;

/** strings shorter than this are measured and copied in JavaScript, cheaper than a call into Buffer's native code */
const SHORT = 64;

/** UTF-8 length of a short string; a lone surrogate counts as U+FFFD (3 bytes), as Buffer writes it */
function shortUtf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // a surrogate pair: two UTF-16 units, four bytes
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

function writeShort(buf: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[o++] = c;
    } else if (c < 0x800) {
      buf[o++] = 0xc0 | (c >> 6);
      buf[o++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c < 0xe000) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && (d & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        buf[o++] = 0xf0 | (c >> 18);
        buf[o++] = 0x80 | ((c >> 12) & 0x3f);
        buf[o++] = 0x80 | ((c >> 6) & 0x3f);
        buf[o++] = 0x80 | (c & 0x3f);
      } else {
        buf[o++] = 0xef;
        buf[o++] = 0xbf;
        buf[o++] = 0xbd;
      }
    } else {
      buf[o++] = 0xe0 | (c >> 12);
      buf[o++] = 0x80 | ((c >> 6) & 0x3f);
      buf[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

function measure(s: string): number {
  const n = s.length < SHORT ? shortUtf8Length(s) : Buffer.byteLength(s);
  if (count === lengths.length) {
    const grown = new Int32Array(lengths.length * 2);
    grown.set(lengths);
    lengths = grown;
  }
  lengths[count++] = n;
  return n;
}

/** a string field of the message: tag, length, bytes */
function stringFieldSize(s: string): number {
  const n = measure(s);
  return 1 + varintSize(n) + n;
}

/** a singular string field: nothing when empty */
function optionalFieldSize(s: string): number {
  return s === '' ? 0 : stringFieldSize(s);
}

function writeOptional(buf: Buffer, o: number, tag: number, s: string): number {
  return s === '' ? o : writeString(buf, o, tag, s, lengths[at++]);
}

function writeString(buf: Buffer, o: number, tag: number, s: string, n: number): number {
  buf[o++] = tag;
  o = writeVarint(buf, o, n);
  if (s.length < SHORT) return writeShort(buf, o, s);
  return o + buf.write(s, o, n);
}

// Messages are cut from slabs of this size rather than from Buffer's 8 KiB
// pool: a new pool every dozen alerts made allocating ArrayBuffers a tenth of
// the channel's cost. Messages leave the queue in order, so slabs are freed in
// order too; a message over a quarter of a slab gets its own Buffer.
const SLAB = 256 * 1024;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;

function allocate(size: number): Buffer {
  if (size > SLAB / 4) return Buffer.allocUnsafe(size);
  if (slabUsed + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB);
    slabUsed = 0;
  }
  slabUsed += size;
  return slab.subarray(slabUsed - size, slabUsed);
}

/** The falco.outputs.response for `r`, as a client generated from Falco's outputs.proto decodes it. */
export function encodeResponse(r: OutputRecord, hostname: string): Buffer {
  // google.protobuf.Timestamp: nanos in [0, 1e9) even before the epoch
  let secs = r.time / NS;
  let nanos = Number(r.time - secs * NS);
  if (nanos < 0) {
    nanos += 1_000_000_000;
    secs -= 1n;
  }
  const secsBytes = secs >= 0n && secs < 0x20000000000000n ? undefined : int64Bytes(secs);
  const secsNumber = Number(secs);
  const timeSize = (secsNumber === 0 ? 0 : 1 + (secsBytes ? secsBytes.length : varintSize(secsNumber))) + (nanos === 0 ? 0 : 1 + varintSize(nanos));
  const priority = r.priority;
  const sourceEnum = SOURCE_ENUM[r.source] ?? PLUGIN;
  const fields = r.fields ?? NO_FIELDS;
  const tags = r.tags;

  count = 0;
  let size = 1 + varintSize(timeSize) + timeSize;
  if (priority !== 0) size += 1 + varintSize(priority);
  if (sourceEnum !== 0) size += 1 + varintSize(sourceEnum);
  size += optionalFieldSize(r.rule) + optionalFieldSize(r.line);
  for (const k in fields) {
    const entry = stringFieldSize(k) + stringFieldSize(fields[k]);
    size += 1 + varintSize(entry) + entry;
  }
  size += optionalFieldSize(hostname);
  for (let i = 0; i < tags.length; i++) size += stringFieldSize(tags[i]);
  size += optionalFieldSize(r.source);

  const buf = allocate(size);
  let o = 0;
  at = 0;
  buf[o++] = TIME;
  o = writeVarint(buf, o, timeSize);
  if (secsNumber !== 0) {
    buf[o++] = SECONDS;
    if (secsBytes) for (const b of secsBytes) buf[o++] = b;
    else o = writeVarint(buf, o, secsNumber);
  }
  if (nanos !== 0) {
    buf[o++] = NANOS;
    o = writeVarint(buf, o, nanos);
  }
  if (priority !== 0) {
    buf[o++] = PRIORITY;
    o = writeVarint(buf, o, priority);
  }
  if (sourceEnum !== 0) {
    buf[o++] = SOURCE_DEPRECATED;
    o = writeVarint(buf, o, sourceEnum);
  }
  o = writeOptional(buf, o, RULE, r.rule);
  o = writeOptional(buf, o, OUTPUT, r.line);
  for (const k in fields) {
    const kn = lengths[at++];
    const vn = lengths[at++];
    buf[o++] = OUTPUT_FIELDS;
    o = writeVarint(buf, o, 1 + varintSize(kn) + kn + 1 + varintSize(vn) + vn);
    o = writeString(buf, o, KEY, k, kn);
    o = writeString(buf, o, VALUE, fields[k], vn);
  }
  o = writeOptional(buf, o, HOSTNAME, hostname);
  for (let i = 0; i < tags.length; i++) o = writeString(buf, o, TAGS, tags[i], lengths[at++]);
  o = writeOptional(buf, o, SOURCE, r.source);
  if (o !== size) throw new Error(`falco.outputs.response: wrote ${o} bytes of the ${size} measured`);
  return buf;
}
