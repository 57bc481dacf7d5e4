// The two channels that write lines to a file descriptor on the agent's own
// thread, through a LineWriter (large synchronous writes at the end of each
// turn): stdout_output and file_output. A reader that stalls them fills the
// writer's bounded backlog and further alerts are dropped, counted.
import * as fs from 'node:fs';
import { ConfigError } from '../../config';
import { DEFAULT_MAX_BACKLOG, LineWriter } from '../lineWriter';
import { type Channel, ChannelStats, type OutputRecord } from './channel';
import { DropLog } from './dropLog';

export class StdoutChannel implements Channel {
  readonly name = 'stdout';
  readonly stats = new ChannelStats();
  private readonly writer: LineWriter;
  private readonly drops: DropLog;

  constructor(
    log: (msg: string) => void,
    /** -U: every alert written as it is emitted */
    private readonly unbuffered = false,
  ) {
    this.writer = new LineWriter(1, false, DEFAULT_MAX_BACKLOG, true);
    this.drops = new DropLog(this.name, this.stats, log);
  }

  get queued(): number {
    return this.writer.unwrittenBytes > 0 ? 1 : 0;
  }

  send(r: OutputRecord): void {
    if (!this.writer.write(r.line)) {
      return this.writer.readerGone ? this.drops.drop('failed', 1, 'stdout was closed by its reader (EPIPE)') : this.drops.drop('queue_full', 1);
    }
    this.stats.sent++;
    if (this.unbuffered) this.writer.flush();
  }

  flush(): void {
    this.writer.flush();
  }

  reopen(): void {}

  async close(): Promise<void> {
    this.writer.close();
  }
}

/**
 * file_output: appends to `filename`. keep_alive keeps the file open (SIGUSR1
 * closes and opens it again, for log rotation); without it the file is opened
 * and closed around each write, once per turn rather than once per alert as
 * Falco does, which keeps rotation by rename working at a fraction of the cost.
 */
export class FileChannel implements Channel {
  readonly name = 'file';
  readonly stats = new ChannelStats();
  private writer: LineWriter | undefined;
  private closeScheduled = false;
  private readonly drops: DropLog;

  constructor(
    private readonly filename: string,
    private readonly keepAlive: boolean,
    private readonly log: (msg: string) => void,
    private readonly unbuffered = false,
  ) {
    this.drops = new DropLog(this.name, this.stats, log);
    // a file that cannot be opened is a configuration error at start, as with Falco
    const fd = this.open(true);
    if (keepAlive) this.writer = new LineWriter(fd, true, DEFAULT_MAX_BACKLOG, true);
    else fs.closeSync(fd);
  }

  private open(atStart: boolean): number {
    try {
      return fs.openSync(this.filename, 'a');
    } catch (e) {
      const msg = `cannot open ${this.filename}: ${(e as Error).message}`;
      if (atStart) throw new ConfigError(`file_output.filename: ${msg}`);
      throw new Error(msg);
    }
  }

  get queued(): number {
    return this.writer && this.writer.unwrittenBytes > 0 ? 1 : 0;
  }

  send(r: OutputRecord): void {
    if (!this.writer) {
      try {
        this.writer = new LineWriter(this.open(false), true, DEFAULT_MAX_BACKLOG, true);
      } catch (e) {
        return this.drops.drop('failed', 1, (e as Error).message);
      }
    }
    if (!this.writer.write(r.line)) return this.drops.drop('queue_full', 1);
    this.stats.sent++;
    if (this.unbuffered) this.writer.flush();
    if (!this.keepAlive && !this.closeScheduled) {
      this.closeScheduled = true;
      setImmediate(() => this.closeWriter());
    }
  }

  private closeWriter(): void {
    this.closeScheduled = false;
    const w = this.writer;
    this.writer = undefined;
    try {
      w?.close();
    } catch (e) {
      this.log(`file output: writing ${this.filename} failed: ${(e as Error).message}`);
    }
  }

  flush(): void {
    this.writer?.flush();
  }

  reopen(): void {
    if (!this.keepAlive) return;
    this.closeWriter();
    try {
      this.writer = new LineWriter(this.open(false), true, DEFAULT_MAX_BACKLOG, true);
    } catch (e) {
      // the next alert tries again
      this.log(`file output: reopening failed: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.closeWriter();
  }
}
