// Resolves a field as written in a condition or an output (`proc.aname[2]`,
// `evt.arg.name`) against a source's fields, checks its argument, and binds
// it once to get the per-event extractor.
import type { FieldRef, Pos } from './ast';
import { ConditionError } from './errors';
import type { Extractor, FieldDef, Source } from './source';

/** An unknown field; loaders may skip rules with these when told to. */
export class UnknownFieldError extends ConditionError {
  constructor(
    readonly field: string,
    pos: Pos,
  ) {
    super(`unknown field '${field}'`, pos);
    this.name = 'UnknownFieldError';
  }
}

export interface ResolvedField<E> {
  def: FieldDef<E>;
  arg: string | undefined;
  /** as written, e.g. `proc.aname[2]` */
  display: string;
}

const indexes = new WeakMap<object, Map<string, FieldDef<unknown>>>();

/** The source's fields by name, built once per source. */
export function fieldIndex<E>(source: Source<E>): Map<string, FieldDef<E>> {
  let index = indexes.get(source) as Map<string, FieldDef<E>> | undefined;
  if (!index) {
    index = new Map(source.fields.map((f) => [f.name, f]));
    indexes.set(source, index as Map<string, FieldDef<unknown>>);
  }
  return index;
}

/**
 * The field `ref` names. A name no field has may be a field with a dotted
 * argument (`evt.arg.name` is `evt.arg[name]`): the longest such prefix wins.
 */
export function resolveField<E>(ref: FieldRef, source: Source<E>): ResolvedField<E> {
  const index = fieldIndex(source);
  const display = ref.arg === undefined ? ref.name : `${ref.name}[${ref.arg}]`;
  const def = index.get(ref.name);
  if (def) {
    checkArg(def, ref.arg, ref.pos);
    return { def, arg: ref.arg, display };
  }
  for (let dot = ref.name.lastIndexOf('.'); dot > 0; dot = ref.name.lastIndexOf('.', dot - 1)) {
    const prefix = index.get(ref.name.slice(0, dot));
    if (prefix?.arg?.dotted) {
      if (ref.arg !== undefined) {
        throw new ConditionError(`field '${prefix.name}' has its argument both dotted and in brackets in '${display}'`, ref.pos);
      }
      const arg = ref.name.slice(dot + 1);
      checkArg(prefix, arg, ref.pos);
      return { def: prefix, arg, display };
    }
  }
  throw new UnknownFieldError(ref.name, ref.pos);
}

function checkArg<E>(def: FieldDef<E>, arg: string | undefined, pos: Pos): void {
  if (arg === undefined) {
    if (def.arg?.required) throw new ConditionError(`field '${def.name}' requires an argument, e.g. '${def.name}[${def.arg.form === 'index' ? '1' : 'key'}]'`, pos);
    return;
  }
  if (!def.arg) throw new ConditionError(`field '${def.name}' takes no argument, got '[${arg}]'`, pos);
  if (def.arg.form === 'index' && !/^\d+$/.test(arg)) {
    throw new ConditionError(`field '${def.name}' takes a numeric index, got '${arg}'`, pos);
  }
}

/** Binds the field's argument; an argument the field refuses becomes a ConditionError at `pos`. */
export function bindField<E>(field: ResolvedField<E>, pos: Pos): Extractor<E> {
  try {
    return field.def.bind(field.arg);
  } catch (err) {
    if (err instanceof ConditionError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new ConditionError(`field '${field.display}': ${why}`, pos);
  }
}
