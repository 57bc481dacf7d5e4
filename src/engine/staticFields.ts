// Falco's static_fields: each `name: value` of the configuration is a field
// `static.<name>` of every source, whose value is always that string. Rules
// may test it and print it; suggested output (append_output) prints it as
// `static_<name>=<value>`, so with Falco's default configuration every alert
// carries it in its text and in JSON output_fields.
import type { FieldDef, Source } from './source';

export const STATIC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function withStaticFields<E>(source: Source<E>, fields: Readonly<Record<string, string>>): Source<E> {
  const names = Object.keys(fields);
  if (names.length === 0) return source;
  const defs: FieldDef<E>[] = names.map((n) => {
    const value = fields[n];
    return { name: `static.${n}`, type: 'string', desc: `the value of static_fields.${n} in the configuration`, bind: () => () => value };
  });
  return {
    ...source,
    fields: [...source.fields, ...defs],
    suggestedOutputFields: [...(source.suggestedOutputFields ?? []), ...defs.map((d) => d.name)],
  };
}
