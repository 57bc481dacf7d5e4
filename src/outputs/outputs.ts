// The alert channels named by the configuration (stdout_output, file_output,
// syslog_output, program_output, http_output; grpc_output joins from the gRPC
// server), each getting every alert. An alert is formatted once and handed to
// every channel, which takes it without blocking (see channels/queuedChannel).
import * as os from 'node:os';
import { ConfigError, type ConfigTree, getBool, getNumber, getString } from '../config';
import type { Alert } from './alert';
import { type AlertFormatOptions, DEFAULT_FORMAT_OPTIONS, formatAlert } from './alertFormat';
import type { Channel, OutputRecord } from './channels/channel';
import type { HttpChannel, HttpOutputConfig } from './channels/httpChannel';
import { ProgramChannel } from './channels/programChannel';
import type { QueueOptions } from './channels/queuedChannel';
import { FileChannel, StdoutChannel } from './channels/streamChannels';
import { SyslogChannel } from './channels/syslogChannel';
import { GrpcChannel } from './grpc/grpcChannel';
import { logger } from '../log';

/** outputs_queue.capacity 0 is Falco's "unbounded"; Vigil bounds every queue, at this many alerts a channel */
export const DEFAULT_QUEUE_CAPACITY = 100_000;
const MAX_QUEUE_CAPACITY = 10_000_000;

/** The hostname alerts carry: VIGIL_HOSTNAME, else FALCO_HOSTNAME (as Falco reads it), else the kernel's. */
export function alertHostname(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_HOSTNAME || env.FALCO_HOSTNAME || os.hostname();
}

export function formatOptionsFrom(config: ConfigTree): AlertFormatOptions {
  return {
    ...DEFAULT_FORMAT_OPTIONS,
    json: getBool(config, 'json_output', false),
    timeIso8601: getBool(config, 'time_format_iso_8601', false),
    includeOutput: getBool(config, 'json_include_output_property', true),
    includeTags: getBool(config, 'json_include_tags_property', true),
    includeMessage: getBool(config, 'json_include_message_property', false),
    includeOutputFields: getBool(config, 'json_include_output_fields_property', true),
    hostname: alertHostname(),
  };
}

export interface OutputsOptions {
  log?: (msg: string) => void;
  /** -U: write every alert as it is emitted instead of at the end of the turn */
  unbuffered?: boolean;
  /** a reload's outputs keep the gRPC channel the running gRPC server serves */
  grpcChannel?: GrpcChannel;
}

export function queueOptionsFrom(config: ConfigTree, log: (msg: string) => void): QueueOptions {
  const capacity = getNumber(config, 'outputs_queue.capacity', 0, 0, MAX_QUEUE_CAPACITY, true);
  return {
    capacity: capacity === 0 ? DEFAULT_QUEUE_CAPACITY : capacity,
    timeoutMs: getNumber(config, 'output_timeout', 2000, 1, 3_600_000, true),
    log,
  };
}

/** Output fields as strings, as Falco's gRPC output sends them (a non-string value as its JSON). */
function stringFields(alert: Alert): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(alert.outputFields())) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export interface ChannelSettings {
  stdout: boolean;
  file?: { name: string; keepAlive: boolean };
  syslog?: { socket: string };
  program?: { command: string; keepAlive: boolean };
  http?: { config: HttpOutputConfig; module: typeof import('./channels/httpChannel') };
  grpc: boolean;
}

/** The channels' settings, read and checked without starting anything (also --dry-run's check). */
export function readChannelSettings(config: ConfigTree): ChannelSettings {
  // undici is loaded only when http_output is on: it costs the start of every run otherwise
  const httpModule = getBool(config, 'http_output.enabled', false) ? (require('./channels/httpChannel') as typeof import('./channels/httpChannel')) : undefined;
  const out: ChannelSettings = { stdout: getBool(config, 'stdout_output.enabled', true), grpc: getBool(config, 'grpc_output.enabled', false) };
  if (httpModule) out.http = { config: httpModule.httpOutputConfig(config), module: httpModule };
  if (getBool(config, 'program_output.enabled', false)) {
    const command = getString(config, 'program_output.program', '');
    if (command.trim() === '') throw new ConfigError('program_output.program: empty (program_output is enabled)');
    out.program = { command, keepAlive: getBool(config, 'program_output.keep_alive', false) };
  }
  const fileKeepAlive = getBool(config, 'file_output.keep_alive', false);
  if (getBool(config, 'file_output.enabled', false)) {
    const name = getString(config, 'file_output.filename', './events.txt');
    if (name === '') throw new ConfigError('file_output.filename: empty (file_output is enabled)');
    out.file = { name, keepAlive: fileKeepAlive };
  }
  const syslogSocket = getString(config, 'syslog_output.socket', '/dev/log');
  if (getBool(config, 'syslog_output.enabled', true)) out.syslog = { socket: syslogSocket };
  return out;
}

export class Outputs {
  readonly channels: Channel[] = [];
  readonly format: AlertFormatOptions;
  readonly queue: QueueOptions;
  private readonly log: (msg: string) => void;
  /** whether some channel reads alerts' output fields (the gRPC output) */
  needsFields = false;

  constructor(config: ConfigTree, opts: OutputsOptions = {}) {
    this.log = opts.log ?? logger.at('warning');
    this.format = formatOptionsFrom(config);
    this.queue = queueOptionsFrom(config, this.log);
    const unbuffered = opts.unbuffered === true;
    // each channel's settings are read (and refused) before any of them starts
    const s = readChannelSettings(config);
    if (s.stdout) this.channels.push(new StdoutChannel(this.log, unbuffered));
    if (s.file) this.channels.push(new FileChannel(s.file.name, s.file.keepAlive, this.log, unbuffered));
    if (s.syslog) this.channels.push(new SyslogChannel(s.syslog.socket, 'vigil', this.queue));
    if (s.program) this.channels.push(new ProgramChannel(s.program.command, s.program.keepAlive, this.queue));
    if (s.http) this.channels.push(new s.http.module.HttpChannel(s.http.config, config, this.queue) as HttpChannel);
    if (s.grpc) {
      // alerts wait for gRPC clients, which only the gRPC server lets in
      if (getBool(config, 'grpc.enabled', false)) this.addChannel(opts.grpcChannel ?? new GrpcChannel(this.queue.capacity, this.format.hostname, this.log));
      else this.log('grpc_output is enabled but the gRPC server (grpc.enabled) is not: no client could take the alerts, so grpc_output is off');
    }
  }

  /** the grpc_output channel, which the gRPC server serves */
  get grpcChannel(): GrpcChannel | undefined {
    return this.channels.find((c): c is GrpcChannel => c instanceof GrpcChannel);
  }

  /** Adds a channel that gets every alert (the gRPC output, embedders, benchmarks). */
  addChannel(channel: Channel): void {
    this.channels.push(channel);
    if (channel.needsFields) this.needsFields = true;
  }

  emit(alert: Alert): void {
    const n = this.channels.length;
    if (n === 0) return;
    const record: OutputRecord = {
      time: alert.time,
      rule: alert.rule,
      priority: alert.priority,
      source: alert.source,
      tags: alert.tags,
      line: formatAlert(alert, this.format),
    };
    // fields are read now: the event behind the alert is not kept
    if (this.needsFields) record.fields = stringFields(alert);
    for (let i = 0; i < n; i++) this.channels[i].send(record);
  }

  flush(): void {
    for (const c of this.channels) c.flush();
  }

  /** SIGUSR1: files and programs are closed and opened again */
  reopen(): void {
    for (const c of this.channels) c.reopen();
  }

  /** One line per channel that lost alerts, for the exit report. */
  lossReport(): string[] {
    const out: string[] = [];
    for (const c of this.channels) {
      const d = c.stats.dropped;
      if (c.stats.droppedTotal === 0) continue;
      out.push(`${c.name} output: ${c.stats.sent} alert(s) delivered, ${c.stats.droppedTotal} dropped (queue full ${d.queue_full}, delivery failed ${d.failed}, still queued at exit ${d.shutdown})`);
    }
    return out;
  }

  /**
   * A reload's outputs (`next`) take over: these deliver what they hold and
   * close, then their counts are added to those of next's channel of the same
   * name, so the counts go on across the reload. The gRPC channel, which next
   * shares, is left to it.
   */
  async handOver(next: Outputs): Promise<void> {
    const own = this.channels.filter((c) => !next.channels.includes(c));
    this.channels.length = 0;
    this.channels.push(...own);
    await this.close();
    for (const c of own) {
      const n = next.channels.find((x) => x.name === c.name);
      if (!n) continue;
      n.stats.sent += c.stats.sent;
      n.stats.timeouts += c.stats.timeouts;
      for (const k of Object.keys(c.stats.dropped) as (keyof typeof c.stats.dropped)[]) n.stats.dropped[k] += c.stats.dropped[k];
    }
  }

  /** Delivers what every channel holds, each waiting at most output_timeout, then closes them. */
  async close(): Promise<void> {
    await Promise.all(
      this.channels.map(async (c) => {
        try {
          await c.close(this.queue.timeoutMs);
        } catch (e) {
          this.log(`${c.name} output: closing failed: ${(e as Error)?.message ?? String(e)}`);
        }
      }),
    );
  }
}
