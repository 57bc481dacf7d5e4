// Decodes a whole request body: while this thread turns the bytes into text
// and parses it, the events' sizes are found from the bytes, on the
// scanner's worker for big bodies (spanScanner.ts). Needed only when the body
// is over max_event_size, since no event can be bigger than its body.
import { type DecodedBody, type EventSizes, parseAuditBody, pickEvents, type ParsedBody } from './auditBody';
import type { ScanResult, SpanScanner } from './spanScanner';

/**
 * Calls `done` once with the decoded body: at once when no scan is needed
 * or it ran here, else on a later turn. `bytes` may be reused after the call.
 */
export function decodeBody(bytes: Uint8Array, maxEventSize: number, scanner: SpanScanner, done: (d: DecodedBody) => void): void {
  const bodyBytes = bytes.length;
  // sent first, so the worker scans while this thread decodes and parses
  let scanned: ScanResult | 'waiting' = 'waiting';
  let parsed: ParsedBody | undefined;
  let text = '';
  const finish = (): void => {
    const sizes: EventSizes = scanned === null ? { text } : { byteSpans: scanned === 'waiting' ? undefined : scanned, bodyBytes };
    done({ batch: pickEvents(parsed!, maxEventSize, sizes) });
  };
  const needSizes = bodyBytes > maxEventSize;
  if (needSizes) {
    scanner.scan(bytes, (r) => {
      scanned = r;
      if (parsed) finish();
    });
  }
  text = Buffer.from(bytes.buffer, bytes.byteOffset, bodyBytes).toString('utf8');
  const body = parseAuditBody(text);
  if ('error' in body) {
    // a scan still in flight is answered into the void: `parsed` stays unset
    done(body);
    return;
  }
  parsed = body;
  if (!needSizes || scanned !== 'waiting') finish();
}
