// Every field a rule's condition (its own text and the macros it reaches)
// names that the source lacks, so a skipped rule's one warning can list them
// all rather than only the first the compiler stops at.
import type { BoolExpr, Pos, TransformArg } from '../ast';
import { resolveField, UnknownFieldError } from '../fieldResolve';
import type { Source } from '../source';

export function missingFields<E>(asts: Iterable<BoolExpr>, source: Source<E>): { name: string; pos: Pos }[] {
  const missing = new Map<string, Pos>();
  const operand = (o: TransformArg): void => {
    if (o.kind === 'literal') return;
    if (o.kind === 'transform' || o.kind === 'tlist') {
      for (const a of o.kind === 'transform' ? o.args : o.items) operand(a);
      return;
    }
    if (missing.has(o.name)) return;
    try {
      resolveField(o, source);
    } catch (err) {
      if (err instanceof UnknownFieldError) missing.set(o.name, o.pos);
    }
  };
  const walk = (n: BoolExpr): void => {
    switch (n.kind) {
      case 'and':
      case 'or':
        for (const c of n.children) walk(c);
        break;
      case 'not':
        walk(n.child);
        break;
      case 'unary':
        operand(n.field);
        break;
      case 'binary':
        operand(n.field);
        if (n.value.kind === 'fieldvalue') operand(n.value.field);
        break;
      case 'macro':
        break;
    }
  };
  for (const ast of asts) walk(ast);
  return [...missing].map(([name, pos]) => ({ name, pos }));
}
