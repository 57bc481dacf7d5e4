// Turns one webhook body into the audit events to evaluate, with the same
// shape rules as trace files (payload.ts). Events over max_event_size are
// dropped and counted, events that are not audit events are rejected and
// counted; neither rejects the rest of the batch.
import { auditEventProblem, auditEventsOf } from '../sources/k8s_audit/payload';
import { bodyItems } from './bodyItems';
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
  /** those events, for the alert each raises (droppedEventAlert.ts); non-events over the size are only counted */
  droppedEvents: Record<string, unknown>[];
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

  const batch: AuditBatch = { events: [], rejected: 0, reasons: [], dropped: 0, droppedEvents: [] };
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    let tooBig = false;
    if (measure === 'spans') tooBig = byteLengthOver(text, spans![2 * k], spans![2 * k + 1], maxEventSize);
    else if (measure === 'whole') tooBig = true;
    else if (measure === 'stringify') tooBig = Buffer.byteLength(JSON.stringify(item) ?? '', 'utf8') > maxEventSize;
    if (tooBig) {
      dropOversize(batch, item);
      continue;
    }
    if (isList) admitEvent(batch, item, label, k);
    else batch.events.push(item as Record<string, unknown>);
  }
  return { batch };
}

/**
 * Bodies from this size up are decoded element by element (decodeAuditBytes):
 * below V8's 128 KiB large-object size, a whole-body string is cheap.
 */
export const ITEMWISE_BYTES = 96 * 1024;

/**
 * Decodes the first `length` bytes of `body`, with the answer decodeAuditBody
 * gives for their text. From `itemwiseFrom` bytes up, an EventList or array
 * is decoded element by element, each element's text parsed on its own (see
 * bodyItems.ts for why); any other body, and any body whose pieces do not
 * all parse, is decoded whole, so errors read as JSON.parse says them.
 */
export function decodeAuditBytes(body: Buffer, length: number, maxEventSize: number, itemwiseFrom = ITEMWISE_BYTES): DecodedBody {
  const whole = (): DecodedBody => decodeAuditBody(body.toString('utf8', 0, length), maxEventSize);
  if (length < itemwiseFrom) return whole();
  const found = bodyItems(body, length);
  if (!found) return whole();
  let label = '';
  if (found.arrayStart >= 0) {
    // the envelope without its items: what decides that this is a list
    let envelope: unknown;
    try {
      envelope = JSON.parse(`${body.toString('utf8', 0, found.arrayStart)}[]${body.toString('utf8', found.arrayEnd, length)}`);
    } catch {
      return whole();
    }
    const payload = auditEventsOf(envelope);
    if ('error' in payload || payload.events.length !== 0) return whole();
    label = 'items';
  }
  const spans = found.spans;
  const batch: AuditBatch = { events: [], rejected: 0, reasons: [], dropped: 0, droppedEvents: [] };
  const items: unknown[] = [];
  const oversize: boolean[] = [];
  for (let k = 0; k < spans.length; k += 2) {
    let item: unknown;
    try {
      // an element over the limit is parsed too, and dropped after: the body must still be JSON
      item = JSON.parse(body.toString('utf8', spans[k], spans[k + 1]));
    } catch {
      return whole();
    }
    items.push(item);
    oversize.push(spans[k + 1] - spans[k] > maxEventSize);
  }
  // only once every piece parsed is the body known to be JSON
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (oversize[k]) {
      dropOversize(batch, item);
      continue;
    }
    admitEvent(batch, item, label, k);
  }
  return { batch };
}

/** Element k of a list body: an audit event joins the batch, anything else is rejected with its reason. */
function admitEvent(batch: AuditBatch, item: unknown, label: string, k: number): void {
  const problem = auditEventProblem(item);
  if (!problem) {
    batch.events.push(item as Record<string, unknown>);
    return;
  }
  batch.rejected++;
  if (batch.reasons.length < MAX_REASONS) batch.reasons.push(`${label}[${k}]: not an audit event: ${problem}`);
}

/** An element over max_event_size: counted, and kept for its built-in alert if it is an audit event. */
function dropOversize(batch: AuditBatch, item: unknown): void {
  batch.dropped++;
  if (auditEventProblem(item) === undefined) batch.droppedEvents.push(item as Record<string, unknown>);
}
