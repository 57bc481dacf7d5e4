// The macro and list names a condition's syntax tree refers to directly, with
// the position of the first reference to each. The loader uses them to find
// macro cycles, to skip rules that use a broken macro, and for usage warnings.
import type { BoolExpr, Pos } from '../ast';

export interface AstRefs {
  macros: Map<string, Pos>;
  /** unquoted list items that may name a list */
  listNames: Set<string>;
}

export function astRefs(expr: BoolExpr, out: AstRefs = { macros: new Map(), listNames: new Set() }): AstRefs {
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const c of expr.children) astRefs(c, out);
      break;
    case 'not':
      astRefs(expr.child, out);
      break;
    case 'macro':
      if (!out.macros.has(expr.name)) out.macros.set(expr.name, expr.pos);
      break;
    case 'binary':
      if (expr.value.kind === 'list') {
        for (const item of expr.value.items) if (!item.quoted) out.listNames.add(item.value);
      }
      break;
    case 'unary':
      break;
  }
  return out;
}
