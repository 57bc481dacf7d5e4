// Which source a trace file belongs to, judged from its first bytes, not its name.
import * as fs from 'node:fs';

/** pcapng section header block type, with which scap capture files begin */
const SCAP_MAGIC = 0x0a0d0d0a;

export type TraceKind = 'k8s_audit' | { error: string };

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
  if (head.length >= 4 && head.readUInt32LE(0) === SCAP_MAGIC) {
    return { error: 'scap capture files are not supported yet (syscall trace files come with the scap issue)' };
  }
  const first = head.toString('utf8').trimStart()[0];
  if (first === '{' || first === '[') return 'k8s_audit';
  if (first === undefined) return 'k8s_audit';
  return { error: 'not a known trace format (expected JSON audit events or a scap capture)' };
}
