// The argument shapes of syscall fields as FieldDef builders: none, an
// ancestor index (`proc.aname[2]`), a parameter name or number (`evt.arg.name`,
// `evt.arg[1]`), a key (`proc.env[HOME]`). Arguments are checked once, at bind.
import type { Extractor, FieldDef, FieldType, Value } from '../../../engine/source';
import { FieldExtra, keyArgField, noArgField } from '../../fieldBuilders';
import type { SyscallEvent } from '../state/syscallEvent';

type E = SyscallEvent;

export type Extra = FieldExtra;

/** A field that takes no argument. */
export const plain = noArgField<E>;

/**
 * A field whose argument is a number: `get` receives it, or `none` when
 * omitted; with `all`, the field without an argument stands for all the values
 * `all` returns, and a comparison holds when it holds for any of them.
 */
export function indexed(
  name: string,
  type: FieldType,
  desc: string,
  argDesc: string,
  none: number | undefined,
  get: (e: E, n: number) => Value,
  all?: Extractor<E>,
): FieldDef<E> {
  return {
    name,
    type,
    desc,
    anyWithoutArg: all !== undefined,
    arg: { required: none === undefined && all === undefined, form: 'index', desc: argDesc },
    bind(arg) {
      if (arg === undefined && all) return all;
      const n = arg === undefined ? none : Number(arg);
      if (n === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${name} needs a non-negative index, e.g. ${name}[1]`);
      return (e) => get(e, n);
    },
  };
}

/** A field whose argument is free text, also accepted dotted (`evt.arg.name`). */
export const keyed = keyArgField<E>;
