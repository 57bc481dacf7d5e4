// What every alert channel (stdout, file, syslog, program, http, grpc) offers
// the outputs: take an alert without ever blocking detection, say what became
// of each one, reopen on SIGUSR1, and finish what it holds at exit.
import type { Priority } from '../../engine/priority';

/** One alert as the channels get it: formatted once, with everything fixed at emit time. */
export interface OutputRecord {
  /** event time, nanoseconds since the epoch */
  time: bigint;
  rule: string;
  priority: Priority;
  source: string;
  tags: readonly string[];
  /** the alert as Falco formats it for its channels (text, or JSON with json_output) */
  line: string;
  /** output fields as strings, only when a channel asked for them (gRPC) */
  fields?: Record<string, string>;
}

/** Why an alert a channel took was not delivered. */
export type DropReason = 'queue_full' | 'failed' | 'shutdown';

export class ChannelStats {
  sent = 0;
  /** deliveries that outlived output_timeout (still delivered or dropped later) */
  timeouts = 0;
  readonly dropped: Record<DropReason, number> = { queue_full: 0, failed: 0, shutdown: 0 };

  get droppedTotal(): number {
    return this.dropped.queue_full + this.dropped.failed + this.dropped.shutdown;
  }
}

export interface Channel {
  /** as in falco.yaml without `_output`: stdout, file, syslog, program, http, grpc */
  readonly name: string;
  readonly stats: ChannelStats;
  /** alerts held and not yet delivered */
  readonly queued: number;
  /** whether records must carry `fields` */
  readonly needsFields?: boolean;
  /** takes one alert; never blocks: a full queue drops it (counted) */
  send(record: OutputRecord): void;
  /** hands what is buffered to the destination now (synchronous channels) */
  flush(): void;
  /** SIGUSR1: closes and opens files and programs again (log rotation) */
  reopen(): void;
  /** delivers what is queued, waiting at most `timeoutMs`; the rest is dropped as 'shutdown' */
  close(timeoutMs: number): Promise<void>;
}
