// Field transformers written around a field on the left of a check
// (`tolower(proc.name)`): each maps a string value to a string, element-wise
// on lists. A value a transformer cannot map (bad base64) counts as missing.
import type { Pos } from './ast';
import { ConditionError } from './errors';
import type { Extractor, FieldType, Scalar, Value } from './source';

type StringMap = (s: string) => string | undefined;

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

const MAPS: Record<string, StringMap> = {
  tolower: (s) => s.toLowerCase(),
  toupper: (s) => s.toUpperCase(),
  b64: (s) => {
    const t = s.trim();
    if (t.length % 4 !== 0 || !B64_RE.test(t)) return undefined;
    return Buffer.from(t, 'base64').toString('utf8');
  },
  basename: (s) => {
    const slash = s.lastIndexOf('/');
    return slash < 0 ? s : s.slice(slash + 1);
  },
};

/** Types each transformer accepts (bytes are read as UTF-8 text). */
const ACCEPTS: Record<string, readonly FieldType[]> = {
  tolower: ['string'],
  toupper: ['string'],
  b64: ['string', 'bytes'],
  basename: ['string'],
};

function asText(v: Scalar): string {
  return typeof v === 'string' ? v : v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : String(v);
}

/** Wraps `inner` with transformer `name`; the result is a string (or list of strings). */
export function applyTransformer<E>(name: string, inner: Extractor<E>, innerType: FieldType, innerName: string, pos: Pos): Extractor<E> {
  const map = MAPS[name];
  if (!map) throw new ConditionError(`unknown transformer '${name}'`, pos);
  if (!ACCEPTS[name].includes(innerType)) {
    throw new ConditionError(`transformer '${name}' does not apply to ${innerType} field '${innerName}'`, pos);
  }
  return (evt): Value => {
    const v = inner(evt);
    if (v === undefined) return undefined;
    if (Array.isArray(v)) {
      const out: string[] = [];
      for (const item of v as readonly Scalar[]) {
        const m = map(asText(item));
        if (m !== undefined) out.push(m);
      }
      return out;
    }
    return map(asText(v as Scalar));
  };
}
