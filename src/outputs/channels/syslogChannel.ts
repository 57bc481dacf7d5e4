// syslog_output: each alert one datagram to /dev/log, framed as glibc's
// syslog(3) frames what Falco passes it (Falco never calls openlog): facility
// user, the alert's priority as severity (Falco's priorities are syslog's
// levels), local time, and the program name as tag, with no pid:
//   <12>Dec  2 12:00:00 vigil: 12:00:00.123456789: Warning ...
// The socket is a unix datagram socket (the small native addon). While it
// cannot be reached (no syslog daemon, daemon restarting) alerts for it are
// counted as failed; the change of state is logged, not every alert.
import * as path from 'node:path';
import * as os from 'node:os';
import type { OutputRecord } from './channel';
import { type QueueOptions, QueuedChannel } from './queuedChannel';

const LOG_USER = 1 << 3;
const BATCH = 256;
const EAGAIN_RETRY_MS = 2;
/** an unreachable socket is tried again at most this often */
const RECONNECT_MS = 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface UnixDatagramSocket {
  connect(path: string): number;
  send(data: Buffer): number;
  close(): void;
}

export const UNIX_DATAGRAM_ADDON = path.resolve(__dirname, '../../../build/Release/vigil_unix_datagram.node');

export function loadSocket(): UnixDatagramSocket | Error {
  try {
    const addon = require(UNIX_DATAGRAM_ADDON) as { UnixDatagram: new () => UnixDatagramSocket };
    return new addon.UnixDatagram();
  } catch (e) {
    return new Error(`the unix datagram addon is not built (${(e as Error).message.split('\n')[0]}); run scripts/setup-native.sh`);
  }
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** glibc's `%h %e %T` in local time, remembered for the current second */
let stampSecond = -1;
let stampText = '';
function timestamp(nowMs: number): string {
  const sec = Math.floor(nowMs / 1000);
  if (sec !== stampSecond) {
    const d = new Date(sec * 1000);
    stampText = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
    stampSecond = sec;
  }
  return stampText;
}

/** One alert as glibc syslog(3) would send it. */
export function syslogFrame(tag: string, severity: number, line: string, nowMs: number): string {
  return `<${LOG_USER | severity}>${timestamp(nowMs)} ${tag}: ${line}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(Object.entries(os.constants.errno).map(([k, v]) => [v, k]));

export class SyslogChannel extends QueuedChannel {
  readonly name = 'syslog';
  private readonly socket: UnixDatagramSocket | Error;
  private connected = false;
  private lastTry = 0;
  /** the reason the socket is unreachable, once logged */
  private down: string | undefined;

  constructor(
    private readonly socketPath: string,
    private readonly tag: string,
    queue: QueueOptions,
  ) {
    super(queue);
    this.maxBatch = BATCH;
    this.socket = loadSocket();
    this.tryConnect();
  }

  private tryConnect(): boolean {
    this.lastTry = Date.now();
    if (this.socket instanceof Error) return this.setDown(this.socket.message);
    const err = this.socket.connect(this.socketPath);
    if (err !== 0) return this.setDown(`cannot connect to ${this.socketPath}: ${ERRNO_NAMES[err] ?? `errno ${err}`}`);
    this.connected = true;
    if (this.down !== undefined) this.log(`syslog output: ${this.socketPath} reachable again`);
    this.down = undefined;
    return true;
  }

  private setDown(why: string): false {
    this.connected = false;
    if (this.down !== why) this.log(`syslog output: ${why}; alerts for syslog are counted as dropped until it can be reached`);
    this.down = why;
    return false;
  }

  protected async deliver(batch: OutputRecord[]): Promise<number> {
    let sent = 0;
    for (let i = 0; i < batch.length; ) {
      if (!this.connected && (Date.now() - this.lastTry < RECONNECT_MS || !this.tryConnect())) {
        // counted here rather than through the drop log: the state change was said once
        this.stats.dropped.failed += batch.length - i;
        return sent;
      }
      const r = batch[i];
      const err = (this.socket as UnixDatagramSocket).send(Buffer.from(syslogFrame(this.tag, r.priority, r.line, Date.now())));
      if (err === 0) {
        sent++;
        i++;
        continue;
      }
      if (err === os.constants.errno.EAGAIN) {
        await sleep(EAGAIN_RETRY_MS);
        continue;
      }
      if (err === os.constants.errno.EMSGSIZE) {
        this.drops.drop('failed', 1, `an alert of ${r.line.length} bytes is too large for a datagram to ${this.socketPath}`);
        i++;
        continue;
      }
      // the daemon went away or restarted: reconnect and try this alert again
      this.setDown(`sending to ${this.socketPath} failed: ${ERRNO_NAMES[err] ?? `errno ${err}`}`);
      this.tryConnect();
    }
    return sent;
  }

  protected shutdown(): void {
    if (!(this.socket instanceof Error)) this.socket.close();
  }
}
