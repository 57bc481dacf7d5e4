// Feeds a capture file to a BlockReader chunk by chunk, through gunzip when
// the file begins with gzip's magic (whatever its name), never whole in memory.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { BlockReader } from './blockReader';
import { ScapError } from './scapError';

const READ_CHUNK = 1 << 20;
const GUNZIP_CHUNK = 1 << 18;

export function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `file` into `reader`; ScapError for damage (gzip's included), at the stream offset reached. */
export async function readCaptureFile(file: string, reader: BlockReader): Promise<{ gzip: boolean }> {
  const gzip = isGzip(file);
  if (!gzip) {
    await readPlain(file, reader);
    reader.end();
    return { gzip };
  }
  const src = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
  const gunzip = zlib.createGunzip({ chunkSize: GUNZIP_CHUNK });
  src.on('error', (e) => gunzip.destroy(e));
  const stream = src.pipe(gunzip);
  try {
    for await (const chunk of stream) reader.feed(chunk as Buffer);
  } catch (e) {
    if (e instanceof ScapError) throw e;
    const msg = (e as Error).message;
    if ((e as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new ScapError(`gzip stream damaged: ${msg}`, reader.offset);
    throw e;
  } finally {
    src.destroy();
  }
  reader.end();
  return { gzip };
}

/**
 * A plain file, read into two chunks taken in turn when the reader lets one
 * go (reader.recycle): a fresh buffer per read cost more in page faults on
 * new memory than the read itself.
 */
async function readPlain(file: string, reader: BlockReader): Promise<void> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const ring: (Buffer | undefined)[] = [undefined, undefined];
    for (let k = 0; ; k ^= 1) {
      let buf = ring[k];
      if (buf === undefined || !reader.recycle(buf)) buf = ring[k] = Buffer.allocUnsafeSlow(READ_CHUNK);
      const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
      if (bytesRead === 0) return;
      reader.feed(bytesRead === READ_CHUNK ? buf : buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}
