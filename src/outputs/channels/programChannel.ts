// program_output: alerts written one a line to the stdin of `program`, run by
// /bin/sh as Falco's popen(3) does. keep_alive keeps one process fed with
// every alert (restarted when it has exited); without it each alert gets its
// own process, started after the previous one has exited. The program's
// stdout and stderr are the agent's.
import { type ChildProcess, spawn } from 'node:child_process';
import type { OutputRecord } from './channel';
import { type QueueOptions, QueuedChannel } from './queuedChannel';

/** lines written to a kept-alive program at once */
const KEEP_ALIVE_BATCH = 1024;

export class ProgramChannel extends QueuedChannel {
  readonly name = 'program';
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** programs ended by reopen() that may still be writing what they read */
  private readonly retiring = new Set<Promise<void>>();
  private readonly retiringChildren = new Set<ChildProcess>();

  constructor(
    private readonly program: string,
    private readonly keepAlive: boolean,
    queue: QueueOptions,
  ) {
    super(queue);
    this.maxBatch = keepAlive ? KEEP_ALIVE_BATCH : 1;
  }

  private start(): ChildProcess {
    const child = spawn('/bin/sh', ['-c', this.program], { stdio: ['pipe', 'inherit', 'inherit'] });
    // a program that exits early makes writes fail with EPIPE: those alerts are counted as failed
    child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (this.keepAlive && (code !== 0 || signal)) this.log(`program output: '${this.program}' exited (${signal ?? `status ${code}`}); it is started again for the next alert`);
        resolve();
      });
      child.once('error', (e) => {
        if (this.child === child) this.child = undefined;
        this.log(`program output: cannot run '${this.program}': ${e.message}`);
        resolve();
      });
    });
    return child;
  }

  protected async deliver(batch: OutputRecord[]): Promise<void> {
    let text = '';
    for (const r of batch) text += `${r.line}\n`;
    if (!this.keepAlive) {
      const child = this.start();
      const exited = this.exited!;
      await write(child, text);
      child.stdin!.end();
      await exited;
      return;
    }
    if (!this.child || this.child.exitCode !== null) this.child = this.start();
    try {
      await write(this.child, text);
    } catch {
      // the program closed its input (exited, or is exiting): a new one gets the batch, once
      this.child.stdin?.destroy();
      this.child = this.start();
      await write(this.child, text);
    }
  }

  /** SIGUSR1: the kept-alive program gets end of input and a new one starts with the next alert */
  override reopen(): void {
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    const exited = this.exited!;
    this.retiring.add(exited);
    this.retiringChildren.add(child);
    void exited.then(() => {
      this.retiring.delete(exited);
      this.retiringChildren.delete(child);
    });
    child.stdin?.end();
  }

  protected async shutdown(): Promise<void> {
    const child = this.child;
    child?.stdin?.end();
    if (child && child.exitCode === null && child.signalCode === null) await this.exited;
    this.child = undefined;
    await Promise.all(this.retiring);
  }

  protected override abort(): void {
    for (const c of this.retiringChildren) if (c.exitCode === null) c.kill('SIGTERM');
    if (this.child?.exitCode === null) {
      this.log(`program output: '${this.program}' did not exit after its input ended; terminating it`);
      this.child.kill('SIGTERM');
    }
    this.child = undefined;
  }
}

function write(child: ChildProcess, text: string): Promise<void> {
  const stdin = child.stdin!;
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('the program closed its input'));
    if (stdin.destroyed || stdin.writableEnded) return onClose();
    stdin.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
