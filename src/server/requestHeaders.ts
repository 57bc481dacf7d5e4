// Header checks uWebSockets.js leaves to the application: the media type of
// Content-Type, and a body length that the headers state once and only once
// (two different Content-Length values, or one with Transfer-Encoding, are how
// requests get smuggled past a proxy that reads them differently).
import type * as uWS from 'uWebSockets.js';

/** Whether a Content-Type header names application/json (parameters such as charset allowed). */
export function isJsonMediaType(contentType: string): boolean {
  const semi = contentType.indexOf(';');
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json';
}

/** The declared body length, -1 when none is declared, or why the headers are refused. */
export function declaredLength(req: uWS.HttpRequest): number | { error: string } {
  const lengths: string[] = [];
  let chunked = false;
  req.forEach((key, value) => {
    if (key === 'content-length') lengths.push(value.trim());
    else if (key === 'transfer-encoding') chunked = true;
  });
  if (lengths.length === 0) return -1;
  if (lengths.some((l) => l !== lengths[0])) return { error: `conflicting Content-Length headers ${lengths.map((l) => JSON.stringify(l)).join(', ')}` };
  if (chunked) return { error: 'both Content-Length and Transfer-Encoding' };
  if (!/^\d+$/.test(lengths[0])) return { error: `bad Content-Length ${JSON.stringify(lengths[0])}` };
  return Number(lengths[0]);
}
