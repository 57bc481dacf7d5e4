// Reading untrusted JSON (runtime answers) without trusting its shape.

export type Json = Record<string, any>;

export function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === 'string') out[k] = val;
  return out;
}

/** JSON text parsed, or {} when it is not an object */
export function parseObj(text: unknown): Json {
  if (typeof text !== 'string' || text === '') return {};
  try {
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

/** ns since the epoch from an int64 the proto loader gave as text */
export function nsOf(v: unknown): bigint | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    const n = BigInt(v);
    return n > 0n ? n : undefined;
  } catch {
    return undefined;
  }
}
