// The three argument shapes of k8s audit fields, as FieldDef builders: no
// argument, an optional container/rule/element index, a key (query parameter,
// JSON pointer, path pattern). Arguments are checked once, at bind time.
import type { Extractor, FieldDef, FieldType, Value } from '../../../engine/source';
import { FieldExtra, keyArgField, noArgField } from '../../fieldBuilders';
import type { K8sAuditEvent } from '../event';

type E = K8sAuditEvent;

interface Extra extends FieldExtra {
  type?: FieldType;
}

/** A field that takes no argument. */
export function plainField(name: string, desc: string, get: Extractor<E>, extra: Extra = {}): FieldDef<E> {
  return noArgField(name, extra.type ?? 'string', desc, get, extra);
}

/** Index argument: a non-negative integer, or -1 when none was written. */
function parseIndex(name: string, arg: string | undefined): number {
  if (arg === undefined) return -1;
  if (!/^\s*\d+\s*$/.test(arg)) throw new Error(`${name}[${arg}]: the index must be a non-negative integer`);
  return Number(arg);
}

/**
 * A field with an optional index (`ka.req.pod.containers.image[1]`): `get`
 * receives the index, or -1 for "all elements" (or the field's own default).
 */
export function indexedField(
  name: string,
  desc: string,
  argDesc: string,
  get: (e: E, index: number) => Value,
  extra: Extra = { isList: true },
): FieldDef<E> {
  return {
    name,
    desc,
    type: extra.type ?? 'string',
    isList: extra.isList,
    hidden: extra.hidden,
    arg: { required: false, form: 'index', desc: argDesc },
    bind(arg) {
      const index = parseIndex(name, arg);
      return (e) => get(e, index);
    },
  };
}

/** A field whose argument is free text, bound once into the extractor. */
export function keyedField(
  name: string,
  desc: string,
  argDesc: string,
  bindKey: (key: string) => Extractor<E>,
  extra: Extra = {},
): FieldDef<E> {
  return keyArgField(name, extra.type ?? 'string', desc, argDesc, bindKey, extra);
}
