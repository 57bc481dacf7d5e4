// Transformers of several arguments, as libsinsp defines them:
//   join(sep, list)        the list's values as text joined by sep: one string
//   concat(a, b, ...)      two or more strings end to end: one string
//   getopt(argv, optstring)[c]
//                          argv (a list) scanned as getopt(3) does (getopt.ts):
//                          a list of the options met and their values, or with
//                          [c] the value of option c
// Each argument is already compiled (a field, a transformer, a literal or a
// list); a missing argument value makes the result missing.
import type { Pos } from './ast';
import { ConditionError } from './errors';
import { parseOptstring, scanOptions, type OptSpec } from './getopt';
import type { Operand } from './operators';
import type { Scalar, Value } from './source';

/** A value as text, as libs renders a number or address inside a transformer. */
export function scalarText(v: Scalar): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  return String(v);
}

function describe(o: Operand<unknown>): string {
  return `'${o.display}' is ${o.isList ? 'a list' : o.any ? 'several values' : `a single ${o.type}`}`;
}

/** The transformer `name` over `args`, with `selector` its `[...]`; ConditionError at `pos` when the arguments do not fit. */
export function multiTransformer<E>(name: string, args: Operand<E>[], selector: string | undefined, pos: Pos, display: string): Operand<E> {
  const fail = (why: string): never => {
    throw new ConditionError(`${name}(): ${why}`, pos);
  };
  if (selector !== undefined && name !== 'getopt') fail(`takes no [argument], got '[${selector}]'`);
  for (const a of args) if (a.any) fail(`an argument must be one value or a list, and ${describe(a as Operand<unknown>)} (write it with an index, e.g. '${a.display}[1]')`);
  const result = (extract: (e: E) => Value, isList: boolean): Operand<E> => ({ extract, type: 'string', isList, display, pos });
  switch (name) {
    case 'join': {
      if (args.length !== 2) fail(`takes 2 arguments, a separator and a list, got ${args.length}`);
      const [sep, list] = args;
      if (sep.isList) fail(`the separator must be a single value, and ${describe(sep as Operand<unknown>)}`);
      if (!list.isList) fail(`the second argument must be a list, e.g. (proc.name, fd.name), and ${describe(list as Operand<unknown>)}`);
      const sx = sep.extract;
      const lx = list.extract;
      return result((e) => {
        const s = sx(e);
        if (s === undefined) return undefined;
        const l = lx(e);
        if (l === undefined) return undefined;
        if (!Array.isArray(l)) return scalarText(l as Scalar);
        const by = scalarText(s as Scalar);
        let out = '';
        for (let i = 0; i < l.length; i++) out += (i ? by : '') + scalarText(l[i]);
        return out;
      }, false);
    }
    case 'concat': {
      if (args.length < 2) fail(`takes 2 or more arguments, got ${args.length}`);
      for (const a of args) if (a.isList || a.type !== 'string') fail(`every argument must be a string, and ${describe(a as Operand<unknown>)}`);
      const xs = args.map((a) => a.extract);
      return result((e) => {
        let out = '';
        for (let i = 0; i < xs.length; i++) {
          const v = xs[i](e);
          if (v === undefined) return undefined;
          out += v as string;
        }
        return out;
      }, false);
    }
    case 'getopt': {
      if (args.length !== 2) fail(`takes 2 arguments, the argument list and the optstring, got ${args.length}`);
      const [argv, optstring] = args;
      if (!argv.isList || argv.type !== 'string') fail(`the first argument must be a list of strings, and ${describe(argv as Operand<unknown>)}`);
      if (optstring.isList || optstring.type !== 'string') fail(`the optstring must be a single string, and ${describe(optstring as Operand<unknown>)}`);
      if (selector !== undefined && selector.length !== 1) fail(`[...] selects one option character, got '[${selector}]'`);
      const ax = argv.extract;
      const ox = optstring.extract;
      // the optstring is usually a literal: parsed once per distinct text seen, not per event
      let lastText: string | undefined;
      let lastSpec: OptSpec | undefined;
      return result((e) => {
        const o = ox(e);
        if (o === undefined) return undefined;
        if (o !== lastText || lastSpec === undefined) {
          lastText = o as string;
          lastSpec = parseOptstring(lastText);
        }
        const a = ax(e);
        if (a === undefined) return undefined;
        const words = Array.isArray(a) ? a.map(scalarText) : [scalarText(a as Scalar)];
        return scanOptions(words, lastSpec, selector);
      }, selector === undefined);
    }
    default:
      return fail(`takes one argument, got ${args.length}`);
  }
}
