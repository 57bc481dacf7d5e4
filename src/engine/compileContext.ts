// What compiling a condition needs besides its AST: the source whose fields
// it names, and the macros and lists defined in the rules files.
import type { BoolExpr } from './ast';
import type { Source } from './source';

export interface CompileContext<E> {
  source: Source<E>;
  /** macro name -> parsed body */
  macros: ReadonlyMap<string, BoolExpr>;
  /** list name -> items (nested lists already flattened) */
  lists: ReadonlyMap<string, readonly string[]>;
}
