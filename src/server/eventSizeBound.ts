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
// The lower bound reads each event's own members, one level deep: a member
// takes at least its name's UTF-16 length plus 3 bytes (quotes and colon),
// a comma between members, and a value of at least: a string's length plus 2,
// 1 for a number, 4 for a boolean, 2 for anything else (`{}`, `[]`, `null`).
// A UTF-16 unit takes at least one byte of JSON text, escaped or not.

/** At least how many bytes of JSON text parse to `v`. */
export function lowerBound(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return typeof v === 'number' ? 1 : typeof v === 'boolean' ? 4 : 2;
  let n = 1; // "{", and "}" below in place of the first member's comma
  let members = 0;
  for (const name in v) {
    const m = (v as Record<string, unknown>)[name];
    n += name.length + 4 + (typeof m === 'string' ? m.length + 2 : typeof m === 'number' ? 1 : typeof m === 'boolean' ? 4 : 2);
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
