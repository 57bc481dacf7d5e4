// Buffers output lines and writes them to a file descriptor in large writes:
// at a size threshold, at the end of the current event-loop turn, and on
// flush(). Writes are synchronous so nothing accepted is lost at exit.
//
// A non-blocking pipe whose reader is slow answers EAGAIN. The unwritten rest
// then waits in a backlog retried from a timer, so the thread keeps serving
// the sources instead of spinning on the pipe; once the backlog reaches its
// bound, writing either waits for the reader (sleeping between tries), so
// memory stays bounded and no line is dropped, or (`dropWhenFull`, for alert
// channels, which must never hold up detection) refuses the line: write()
// answers false and the caller counts it.
import * as fs from 'node:fs';

const FLUSH_BYTES = 64 * 1024;
/** default bound on bytes held for a stalled reader */
export const DEFAULT_MAX_BACKLOG = 32 * 1024 * 1024;
const RETRY_MS = 5;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class LineWriter {
  private pending: string[] = [];
  private bytes = 0;
  private scheduled = false;
  private backlog: Buffer[] = [];
  private backlogBytes = 0;
  private retry: NodeJS.Timeout | undefined;
  private gone = false;

  constructor(
    private fd: number,
    private readonly closeFd: boolean,
    private readonly maxBacklog = DEFAULT_MAX_BACKLOG,
    private readonly dropWhenFull = false,
  ) {}

  /** bytes accepted but not yet written to the descriptor */
  get unwrittenBytes(): number {
    return this.bytes + this.backlogBytes;
  }

  /** the descriptor's reader has closed it (EPIPE): nothing written from now on can be read */
  get readerGone(): boolean {
    return this.gone;
  }

  /** false when the line was refused (dropWhenFull and the backlog at its bound, or the reader gone) */
  write(line: string): boolean {
    if (this.gone) return false;
    if (this.dropWhenFull && this.backlogBytes > this.maxBacklog) {
      // the reader may have caught up since the last retry
      this.drain(false);
      if (this.backlogBytes > this.maxBacklog) return false;
    }
    this.pending.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return true;
  }

  flush(): void {
    this.scheduled = false;
    if (this.fd < 0) return;
    if (this.pending.length > 0) {
      const buf = Buffer.from(this.pending.join('\n') + '\n');
      this.pending = [];
      this.bytes = 0;
      this.backlog.push(buf);
      this.backlogBytes += buf.length;
    }
    this.drain(false);
  }

  close(): void {
    this.flush();
    this.drain(true);
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.closeFd && this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Writes the backlog; on EAGAIN waits for the reader only if `block` or the backlog is full. */
  private drain(block: boolean): void {
    while (this.backlog.length > 0) {
      const head = this.backlog[0];
      let n: number;
      try {
        n = fs.writeSync(this.fd, head);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          // `vigil ... | head`: the reader is gone for good; what is held cannot be delivered
          this.gone = true;
          this.backlog = [];
          this.backlogBytes = 0;
          return;
        }
        if (code !== 'EAGAIN') throw e;
        if (block || (!this.dropWhenFull && this.backlogBytes > this.maxBacklog)) {
          Atomics.wait(sleeper, 0, 0, 1);
          continue;
        }
        this.retry ??= setTimeout(() => {
          this.retry = undefined;
          this.drain(false);
        }, RETRY_MS);
        return;
      }
      this.backlogBytes -= n;
      if (n === head.length) this.backlog.shift();
      else this.backlog[0] = head.subarray(n);
    }
  }
}
