// An alert: one rule matched one event. Built once per match by the agent and
// handed to every enabled output channel; text and JSON renderings are made
// lazily, at most once each, by the channels that need them.
import type { Priority } from '../engine/priority';

export interface Alert {
  /** event time, nanoseconds since the epoch */
  time: bigint;
  rule: string;
  priority: Priority;
  source: string;
  tags: readonly string[];
  /** the rule's output with its fields substituted */
  message: string;
  /** the values of the fields the output names, for JSON `output_fields` */
  outputFields(): Record<string, string | number | boolean | null>;
}
