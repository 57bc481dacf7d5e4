import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineWriter } from '../../src/outputs/lineWriter';

/** a FIFO with both ends open non-blocking, as a stdout pipe to a slow reader looks */
function fifo(): { file: string; readFd: number; writeFd: number; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-linewriter-'));
  const file = path.join(dir, 'pipe');
  execFileSync('mkfifo', [file]);
  const readFd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return { file, readFd, writeFd, dir };
}

function lines(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `alert ${i} ${'x'.repeat(90)}`);
}

test('a full non-blocking pipe does not block the thread: the rest is written as the reader catches up, in order', { timeout: 30000 }, async () => {
  const p = fifo();
  const w = new LineWriter(p.writeFd, true);
  const sent = lines(20000); // ~2 MB, far over a pipe's 64 KiB
  const t0 = performance.now();
  for (const l of sent) w.write(l);
  w.flush();
  // the pipe took what it could; the rest waits without the thread waiting for it
  assert.ok(performance.now() - t0 < 1000, 'write() returned while the pipe was full');
  assert.ok(w.unwrittenBytes > 1_000_000, `expected most bytes still unwritten, got ${w.unwrittenBytes}`);

  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  await new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 20000;
    const tick = (): void => {
      try {
        for (;;) {
          const n = fs.readSync(p.readFd, buf);
          if (n === 0) break;
          chunks.push(Buffer.from(buf.subarray(0, n)));
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return reject(e);
      }
      if (w.unwrittenBytes === 0 && chunks.reduce((a, c) => a + c.length, 0) >= 2_000_000) {
        try {
          for (;;) {
            const n = fs.readSync(p.readFd, buf);
            if (n === 0) break;
            chunks.push(Buffer.from(buf.subarray(0, n)));
          }
        } catch {
          /* EAGAIN: pipe empty */
        }
        return resolve();
      }
      if (Date.now() > deadline) return reject(new Error(`timed out with ${w.unwrittenBytes} bytes unwritten`));
      setTimeout(tick, 2);
    };
    tick();
  });
  w.close();
  fs.closeSync(p.readFd);
  assert.equal(Buffer.concat(chunks).toString(), sent.join('\n') + '\n');
  fs.rmSync(p.dir, { recursive: true, force: true });
});

test('past its backlog bound the writer waits for the reader; close() writes everything accepted', { timeout: 30000 }, async () => {
  const p = fifo();
  const out = path.join(p.dir, 'out.txt');
  // a reader that starts late, as a stalled consumer would
  // (this process keeps its read end open but never reads, so the pipe stays full, not broken)
  const reader = spawn('sh', ['-c', `sleep 0.5; cat "${p.file}" > "${out}"`], { stdio: 'ignore' });
  const w = new LineWriter(p.writeFd, true, 256 * 1024);
  const sent = lines(10000); // ~1 MB, four times the bound
  for (const l of sent) w.write(l);
  assert.ok(w.unwrittenBytes <= 256 * 1024 + 128 * 1024, `backlog held to its bound, got ${w.unwrittenBytes}`);
  w.close();
  const code = await new Promise<number | null>((resolve) => reader.on('exit', resolve));
  fs.closeSync(p.readFd);
  assert.equal(code, 0);
  assert.equal(fs.readFileSync(out, 'utf8'), sent.join('\n') + '\n');
  fs.rmSync(p.dir, { recursive: true, force: true });
});
