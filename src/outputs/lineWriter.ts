// Buffers output lines and writes them to a file descriptor in large writes:
// at a size threshold, at the end of the current event-loop turn, and on
// flush(). Writes are synchronous so nothing accepted is lost at exit.
import * as fs from 'node:fs';

const FLUSH_BYTES = 64 * 1024;

export class LineWriter {
  private pending: string[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private fd: number,
    private readonly closeFd: boolean,
  ) {}

  write(line: string): void {
    this.pending.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.fd < 0) return;
    const data = this.pending.join('\n') + '\n';
    this.pending = [];
    this.bytes = 0;
    let buf = Buffer.from(data);
    while (buf.length > 0) {
      try {
        const n = fs.writeSync(this.fd, buf);
        buf = buf.subarray(n);
      } catch (e) {
        // A non-blocking pipe that is full: wait for the reader rather than drop.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
    }
  }

  close(): void {
    this.flush();
    if (this.closeFd && this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
