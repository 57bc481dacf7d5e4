// Turns one webhook body into the audit events to evaluate, with the same
// shape rules as trace files (payload.ts). Events over max_event_size are
// dropped and counted, events that are not audit events are rejected and
// counted; neither rejects the rest of the batch.
import { auditEventProblem, auditEventsOf } from '../sources/k8s_audit/payload';
import { noneOver } from './eventSizeBound';
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

/**
 * Decodes `text`. The size of each event is looked at only when the whole
 * body is over `maxEventSize` (otherwise no event in it can be); then, unless
 * the events' own members show that none can be over (eventSizeBound.ts), by
 * scanning the text for the element boundaries of the events array (itemSpans.ts).
 */
export function decodeAuditBody(text: string, maxEventSize: number): DecodedBody {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { error: `malformed JSON: ${(err as Error).message}` };
  }
  const payload = auditEventsOf(doc);
  if ('error' in payload) return { error: payload.error };
  const items = payload.events;
  const isList = items.length !== 1 || items[0] !== doc;
  const label = Array.isArray(doc) ? '' : 'items';

  // how each event's size is known: not needed, from the scanned spans, or
  // (only if the scan disagreed with JSON.parse, which it should never do)
  // by re-serialising, so a scanner bug can cost time but never drop wrongly
  let spans: number[] | undefined;
  let measure: 'none' | 'spans' | 'whole' | 'stringify' = 'none';
  if (byteLengthOver(text, 0, text.length, maxEventSize)) {
    if (!isList) measure = 'whole';
    else if (!noneOver(items, Buffer.byteLength(text, 'utf8'), maxEventSize)) {
      spans = itemSpans(text);
      measure = spans && spans.length === items.length * 2 ? 'spans' : 'stringify';
    }
  }

  const batch: AuditBatch = { events: [], rejected: 0, reasons: [], dropped: 0 };
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    let tooBig = false;
    if (measure === 'spans') tooBig = byteLengthOver(text, spans![2 * k], spans![2 * k + 1], maxEventSize);
    else if (measure === 'whole') tooBig = true;
    else if (measure === 'stringify') tooBig = Buffer.byteLength(JSON.stringify(item) ?? '', 'utf8') > maxEventSize;
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
  return { batch };
}
