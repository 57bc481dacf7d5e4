// Decodes a whole request body. The events' sizes matter only when the body
// is over max_event_size (no event is bigger than its body); then the text is
// scanned for them on the scanner's worker (spanScanner.ts) while this thread
// parses the same text.
import { type DecodedBody, parseAuditBody, pickEvents, type ParsedBody } from './auditBody';
import { byteLengthOver } from './itemSpans';
import type { ScanResult, SpanScanner } from './spanScanner';

/** Calls `done` once with the decoded body: at once when no scan is needed or it ran here, else on a later turn. */
export function decodeBody(bytes: Uint8Array, maxEventSize: number, scanner: SpanScanner, done: (d: DecodedBody) => void): void {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  let scanned: ScanResult | 'waiting' = 'waiting';
  let parsed: ParsedBody | undefined;
  const finish = (): void => {
    // null: the worker failed, and pickEvents scans the text itself
    done({ batch: pickEvents(parsed!, maxEventSize, scanned === null ? { text } : { text, spans: scanned === 'waiting' ? undefined : scanned }) });
  };
  const needSizes = byteLengthOver(text, 0, text.length, maxEventSize);
  if (needSizes) {
    // sent before parsing, so the worker scans while this thread parses
    scanner.scan(text, (r) => {
      scanned = r;
      if (parsed) finish();
    });
  }
  const body = parseAuditBody(text);
  if ('error' in body) {
    // a scan still in flight is answered into the void: `parsed` stays unset
    done(body);
    return;
  }
  parsed = body;
  if (!needSizes || scanned !== 'waiting') finish();
}
