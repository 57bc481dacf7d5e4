// The FieldDef shapes every source writes alike: a field that takes no
// argument, and one whose argument is free text (a key) bound once into the
// extractor. Each source's fields/fieldKinds.ts fixes the event type.
import type { Extractor, FieldDef, FieldType } from '../engine/source';

export interface FieldExtra {
  isList?: boolean;
  hidden?: boolean;
}

/** A field that takes no argument. */
export function noArgField<E>(name: string, type: FieldType, desc: string, get: Extractor<E>, extra: FieldExtra = {}): FieldDef<E> {
  return {
    name,
    type,
    desc,
    isList: extra.isList,
    hidden: extra.hidden,
    bind(arg) {
      if (arg !== undefined) throw new Error(`${name} takes no argument`);
      return get;
    },
  };
}

/**
 * A field whose argument is free text; `dotted` also accepts it as a suffix
 * (`evt.arg.name`), `optional` is the extractor used when none is written.
 */
export function keyArgField<E>(
  name: string,
  type: FieldType,
  desc: string,
  argDesc: string,
  bindKey: (key: string) => Extractor<E>,
  extra: FieldExtra & { dotted?: boolean; optional?: Extractor<E> } = {},
): FieldDef<E> {
  return {
    name,
    type,
    desc,
    isList: extra.isList,
    hidden: extra.hidden,
    arg: { required: extra.optional === undefined, form: 'key', dotted: extra.dotted, desc: argDesc },
    bind(arg) {
      if (arg === undefined || arg === '') {
        if (extra.optional) return extra.optional;
        throw new Error(`${name} requires an argument: ${name}[${argDesc}]`);
      }
      return bindKey(arg);
    },
  };
}
