// Falco's two alert formats. Text: `<time>: <Priority> <message>`. JSON: one
// object a line with keys in Falco's (sorted) order: hostname, output,
// output_fields, priority, rule, source, tags, time.
import * as os from 'node:os';
import { priorityName } from '../engine/priority';
import type { Alert } from './alert';
import { clockTime, iso8601, rfc3339 } from '../timeFormat';

export interface AlertFormatOptions {
  json: boolean;
  timeIso8601: boolean;
  includeOutput: boolean;
  includeTags: boolean;
  includeMessage: boolean;
  includeOutputFields: boolean;
  hostname: string;
}

export const DEFAULT_FORMAT_OPTIONS: AlertFormatOptions = {
  json: false,
  timeIso8601: false,
  includeOutput: true,
  includeTags: true,
  includeMessage: false,
  includeOutputFields: true,
  hostname: os.hostname(),
};

/** The text form, also the `output` property of the JSON form. */
export function formatText(alert: Alert, timeIso8601: boolean): string {
  const time = timeIso8601 ? iso8601(alert.time) : clockTime(alert.time);
  return `${time}: ${priorityName(alert.priority)} ${alert.message}`;
}

// The JSON text of values that repeat across alerts (host, rule and source
// names, a rule's tags), made once. Rule names and sources come from loaded
// rules; the bound only guards against an embedder feeding endless new ones.
const MAX_CACHED_STRINGS = 10_000;
const stringJson = new Map<string, string>();
const tagsJson = new WeakMap<readonly string[], string>();

function jsonString(s: string): string {
  let j = stringJson.get(s);
  if (j === undefined) {
    if (stringJson.size >= MAX_CACHED_STRINGS) stringJson.clear();
    j = JSON.stringify(s);
    stringJson.set(s, j);
  }
  return j;
}

function sortedTagsJson(tags: readonly string[]): string {
  let j = tagsJson.get(tags);
  if (j === undefined) {
    j = JSON.stringify([...tags].sort());
    tagsJson.set(tags, j);
  }
  return j;
}

export function formatJson(alert: Alert, opts: AlertFormatOptions): string {
  let out = `{"hostname":${jsonString(opts.hostname)}`;
  if (opts.includeMessage) out += `,"message":${JSON.stringify(alert.message)}`;
  if (opts.includeOutput) out += `,"output":${JSON.stringify(formatText(alert, opts.timeIso8601))}`;
  if (opts.includeOutputFields) {
    // Falco adds the prefix's time field to the output fields, as an exact integer of ns.
    const timeField = opts.timeIso8601 ? 'evt.time.iso8601' : 'evt.time';
    const fields = alert.outputFields();
    if (timeField in fields) delete fields[timeField];
    const rest = JSON.stringify(fields);
    out += `,"output_fields":{"${timeField}":${alert.time}${rest === '{}' ? '}' : `,${rest.slice(1)}`}`;
  }
  out += `,"priority":"${priorityName(alert.priority)}","rule":${jsonString(alert.rule)},"source":${jsonString(alert.source)}`;
  if (opts.includeTags) out += `,"tags":${sortedTagsJson(alert.tags)}`;
  return `${out},"time":"${rfc3339(alert.time)}"}`;
}

export function formatAlert(alert: Alert, opts: AlertFormatOptions): string {
  return opts.json ? formatJson(alert, opts) : formatText(alert, opts.timeIso8601);
}
