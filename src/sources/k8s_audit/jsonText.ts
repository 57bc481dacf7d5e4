// How JSON values become field values. Falco's k8s audit fields are text: a
// JSON string is itself, anything else is its JSON serialization (so `true`
// becomes "true" and 200 becomes "200", which is what upstream rules compare).
// JSON null counts as absent, as Kubernetes omits and nulls fields alike.
import type { Scalar } from '../../engine/source';

export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Appends the text of `v` to `out` when it has one. */
export function pushText(out: Scalar[], v: unknown): void {
  const t = asText(v);
  if (t !== undefined) out.push(t);
}

/** A list field's value: an empty list is no value, as in Falco. */
export function listValue(out: Scalar[]): readonly Scalar[] | undefined {
  return out.length === 0 ? undefined : out;
}

type Obj = Record<string, unknown>;

/** `o[a]` when `o` is an object. */
export function prop(o: unknown, a: string): unknown {
  return o !== null && typeof o === 'object' ? (o as Obj)[a] : undefined;
}

/** `o[a][b]`, undefined when any step is missing. */
export function prop2(o: unknown, a: string, b: string): unknown {
  return prop(prop(o, a), b);
}
