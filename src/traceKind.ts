// Which source a trace file belongs to, judged from its first bytes, not its name
// (through gunzip when they are gzip's).
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

/** pcapng section header block type, with which scap capture files begin */
const SCAP_MAGIC = 0x0a0d0d0a;

export type TraceKind = 'k8s_audit' | 'scap' | { error: string };

export function traceKind(file: string): TraceKind {
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(4096);
      head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    return { error: `cannot read trace file: ${(e as Error).message}` };
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // the start of the stream is enough to tell: gunzip what the head holds
      head = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (e) {
      return { error: `gzip file that cannot be read: ${(e as Error).message}` };
    }
  }
  if (head.length >= 4 && head.readUInt32LE(0) === SCAP_MAGIC) return 'scap';
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') return 'k8s_audit';
  if (first === undefined) return 'k8s_audit';
  // JSON Lines whose first line is garbage: the reader reports that line and reads the rest
  if (/\n[ \t\r]*[{[]/.test(text)) return 'k8s_audit';
  return { error: 'not a known trace format (expected JSON audit events or a scap capture)' };
}
