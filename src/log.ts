// Vigil's own log lines (not alerts): one logger for the whole agent, with
// Falco's log_stderr, log_syslog and log_level. Levels are syslog's, as
// Falco's: emergency alert critical error warning notice info debug; a line
// is written when its level is at least as severe as log_level. To syslog a
// line goes as one datagram framed as glibc's syslog(3) frames it (facility
// user, tag vigil), to the syslog socket (syslog_output.socket, /dev/log).
// Parts that log through a plain callback get `logger.at(level)`: a line that
// starts with `error:` or `warning:` is logged at that level instead.
import * as os from 'node:os';
import { type ConfigTree, ConfigError, getBool, getString } from './config';
import { loadSocket, syslogFrame, type UnixDatagramSocket } from './outputs/channels/syslogChannel';

export const LOG_LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  level: LogLevel;
  stderr: boolean;
  syslog: boolean;
  socket: string;
}

/** log_level, log_stderr, log_syslog (Falco's defaults: info, true, true) */
export function logSettings(config: ConfigTree): LogSettings {
  const level = getString(config, 'log_level', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`log_level: expected one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  return { level, stderr: getBool(config, 'log_stderr', true), syslog: getBool(config, 'log_syslog', true), socket: getString(config, 'syslog_output.socket', '/dev/log') };
}

export class Logger {
  private max = LOG_LEVELS.indexOf('info');
  private stderr = true;
  private syslogPath: string | undefined;
  private socket: UnixDatagramSocket | Error | undefined;
  private connected = false;
  /** why syslog could not be reached, said once on stderr */
  private syslogDown: string | undefined;

  configure(s: LogSettings): void {
    this.max = LOG_LEVELS.indexOf(s.level);
    this.stderr = s.stderr;
    if (!s.syslog || s.socket !== this.syslogPath) this.closeSyslog();
    this.syslogPath = s.syslog ? s.socket : undefined;
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) <= this.max;
  }

  log(level: LogLevel, msg: string): void {
    const severity = LOG_LEVELS.indexOf(level);
    if (severity > this.max) return;
    if (this.stderr) process.stderr.write(`${msg}\n`);
    if (this.syslogPath !== undefined) this.toSyslog(severity, msg);
  }

  error = (msg: string): void => this.log('error', msg);
  warning = (msg: string): void => this.log('warning', msg);
  notice = (msg: string): void => this.log('notice', msg);
  info = (msg: string): void => this.log('info', msg);
  debug = (msg: string): void => this.log('debug', msg);

  /** A callback for a part that logs plain lines: at `level`, or at the level its `error:`/`warning:` prefix says. */
  at(level: LogLevel): (msg: string) => void {
    return (msg) => this.log(msg.startsWith('error:') ? 'error' : msg.startsWith('warning:') ? 'warning' : level, msg);
  }

  private toSyslog(severity: number, msg: string): void {
    this.socket ??= loadSocket();
    const path = this.syslogPath!;
    if (this.socket instanceof Error) return this.down(this.socket.message);
    if (!this.connected) {
      const err = this.socket.connect(path);
      if (err !== 0) return this.down(`cannot connect to ${path}: ${Object.entries(os.constants.errno).find(([, v]) => v === err)?.[0] ?? `errno ${err}`}`);
      this.connected = true;
      this.syslogDown = undefined;
    }
    // one line a datagram; a line that cannot be sent is still on stderr when log_stderr is on
    for (const line of msg.split('\n')) {
      if (this.socket.send(Buffer.from(syslogFrame('vigil', severity, line, Date.now()))) !== 0) {
        this.connected = false;
        return;
      }
    }
  }

  private down(why: string): void {
    if (this.syslogDown === why) return;
    this.syslogDown = why;
    if (this.stderr) process.stderr.write(`log_syslog: ${why}; log lines go to stderr only until it can be reached\n`);
  }

  private closeSyslog(): void {
    if (this.socket && !(this.socket instanceof Error)) this.socket.close();
    this.socket = undefined;
    this.connected = false;
  }
}

/** The agent's one logger. */
export const logger = new Logger();
