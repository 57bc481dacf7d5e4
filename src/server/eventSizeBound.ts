// Proves, without scanning the text, that no event of a body is over
// max_event_size. The events' texts are disjoint parts of the body, so
//
//   bytes(event k) <= bodyBytes - sum over j != k of bytes(event j)
//                  <= bodyBytes - sum over j != k of lower(event j)
//
// for any lower bound `lower` on an event's text size. If that is within the
// limit for the event with the largest lower bound, it is for every event.
// A body over the limit but not far over it (an API server's batch of 400
// ordinary events) is settled this way for a fraction of the cost of a scan
// (itemSpans.ts); when the proof fails, the caller scans, so the verdict is
// exact either way.
//
// The lower bound is the compact JSON text of the value with every UTF-16
// unit taken as one byte (escaped or not, a unit takes at least one): a
// string's length plus 2, 1 for a number, 4 for true and null, 5 for false,
// 2 for brackets plus the elements and the commas between them, 2 for braces
// plus each member's name length, 3 (quotes and colon), its value and the
// commas. It recurses MAX_DEPTH levels deep and counts a deeper array or
// object as 2, so a deeply nested body cannot exhaust the stack. One level
// was not enough: an audit event keeps most of its text in objectRef, user,
// requestObject and responseObject, and a batch of 400 realistic events
// (470 KiB against the 256 KiB default) failed the proof and paid for a scan.

/** Levels of arrays and objects the bound looks into. */
const MAX_DEPTH = 24;

/** At least how many bytes of JSON text parse to `v`. */
export function lowerBound(v: unknown, depth = MAX_DEPTH): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2;
    case 'number':
      return 1;
    case 'boolean':
      return v ? 4 : 5;
    case 'object':
      break;
    default:
      return 2; // not produced by JSON.parse
  }
  if (v === null) return 4;
  if (depth <= 0) return 2;
  if (Array.isArray(v)) {
    let n = v.length > 0 ? v.length + 1 : 2; // brackets and commas
    for (let i = 0; i < v.length; i++) n += lowerBound(v[i], depth - 1);
    return n;
  }
  let n = 1; // "{", and "}" below in place of the first member's comma
  let members = 0;
  for (const name in v) {
    n += name.length + 4 + lowerBound((v as Record<string, unknown>)[name], depth - 1);
    members++;
  }
  return members === 0 ? 2 : n;
}

/** Whether some code added enumerable properties to Object.prototype, which `for...in` would count. */
function prototypeTouched(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

/**
 * True when no element of `items`, parsed from a body of `bodyBytes` UTF-8
 * bytes, can take more than `limit` bytes; false when that cannot be shown
 * this way (some element may or may not be over).
 */
export function noneOver(items: readonly unknown[], bodyBytes: number, limit: number): boolean {
  if (bodyBytes <= limit) return true;
  if (prototypeTouched()) return false;
  // sum - max never falls as events are added, so the proof can end early
  const need = bodyBytes - limit;
  let sum = 0;
  let max = 0;
  for (let k = 0; k < items.length; k++) {
    const b = lowerBound(items[k]);
    sum += b;
    if (b > max) max = b;
    if (sum - max >= need) return true;
  }
  return false;
}
