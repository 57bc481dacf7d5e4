// Turns one webhook body into the audit events to evaluate, with the same
// shape rules as trace files (payload.ts). Events over max_event_size are
// dropped and counted, events that are not audit events are rejected and
// counted; neither rejects the rest of the batch. Two steps, so that the
// sizes of a big body's events can be scanned on another thread while this
// one parses it (decodeBody.ts): parseAuditBody, then pickEvents.
import { auditEventProblem, auditEventsOf } from '../sources/k8s_audit/payload';
import { byteLengthOver, itemSpans } from './itemSpans';

/** Rejection reasons kept for the response; the count is always exact. */
const MAX_REASONS = 5;

export interface AuditBatch {
  events: Record<string, unknown>[];
  /** elements that are not audit events */
  rejected: number;
  /** `items[3]: not an audit event: ...`, the first few */
  reasons: string[];
  /** events over max_event_size */
  dropped: number;
}

export type DecodedBody = { batch: AuditBatch } | { error: string };

/** A parsed body whose events are not picked yet. */
export interface ParsedBody {
  items: unknown[];
  /** false for a body that is one Event */
  isList: boolean;
  /** how reasons name an element: `items` for an EventList, `` for an array */
  label: string;
}

/**
 * How the size of each event is known: from the body's text, scanned here
 * (itemSpans.ts) when the body is over the limit, or with `spans` from a scan
 * done elsewhere (spanScanner.ts; undefined when the body is not a list).
 */
export type EventSizes = { text: string; spans?: ArrayLike<number> | undefined };

export function parseAuditBody(text: string): ParsedBody | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { error: `malformed JSON: ${(err as Error).message}` };
  }
  const payload = auditEventsOf(doc);
  if ('error' in payload) return { error: payload.error };
  const items = payload.events;
  return { items, isList: items.length !== 1 || items[0] !== doc, label: Array.isArray(doc) ? '' : 'items' };
}

type Measure = { kind: 'none' } | { kind: 'whole' } | { kind: 'stringify' } | { kind: 'spans'; text: string; spans: ArrayLike<number> };

/**
 * How to measure each event. A scan that disagrees with JSON.parse about the
 * number of events (it should never) falls back to re-serialising, so a
 * scanner bug can cost time but never drop wrongly.
 */
function measureOf(body: ParsedBody, maxEventSize: number, sizes: EventSizes): Measure {
  const text = sizes.text;
  if (!byteLengthOver(text, 0, text.length, maxEventSize)) return { kind: 'none' };
  if (!body.isList) return { kind: 'whole' };
  const spans = 'spans' in sizes ? sizes.spans : itemSpans(text);
  return spans && spans.length === body.items.length * 2 ? { kind: 'spans', text, spans } : { kind: 'stringify' };
}

/** The events of a parsed body, less those over `maxEventSize` and those that are not audit events. */
export function pickEvents(body: ParsedBody, maxEventSize: number, sizes: EventSizes): AuditBatch {
  const { items, isList, label } = body;
  const m = measureOf(body, maxEventSize, sizes);
  const batch: AuditBatch = { events: [], rejected: 0, reasons: [], dropped: 0 };
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    let tooBig = false;
    if (m.kind === 'spans') tooBig = byteLengthOver(m.text, m.spans[2 * k], m.spans[2 * k + 1], maxEventSize);
    else if (m.kind === 'whole') tooBig = true;
    else if (m.kind === 'stringify') tooBig = Buffer.byteLength(JSON.stringify(item) ?? '', 'utf8') > maxEventSize;
    if (tooBig) {
      batch.dropped++;
      continue;
    }
    const problem = isList ? auditEventProblem(item) : undefined;
    if (problem) {
      batch.rejected++;
      if (batch.reasons.length < MAX_REASONS) batch.reasons.push(`${label}[${k}]: not an audit event: ${problem}`);
      continue;
    }
    batch.events.push(item as Record<string, unknown>);
  }
  return batch;
}

/** Decodes `text` on this thread, its events measured from the text. */
export function decodeAuditBody(text: string, maxEventSize: number): DecodedBody {
  const body = parseAuditBody(text);
  if ('error' in body) return body;
  return { batch: pickEvents(body, maxEventSize, { text }) };
}
