// What compiling a condition needs besides its AST: the source whose fields
// it names, and the macros and lists defined in the rules files.
import type { BoolExpr } from './ast';
import type { Plan } from './codegen';
import type { LegacyUse } from './legacyListForms';
import type { Source } from './source';

/** A macro's body compiled once for one source, shared by every condition that uses it. */
export interface SharedMacro<E> {
  plan: Plan<E>;
  /** its expanded size in checks (compile.ts's bound) */
  size: number;
  /** the deepest nesting of boolean nodes inside it, macros included */
  depth: number;
  usedMacros: ReadonlySet<string>;
  usedLists: ReadonlySet<string>;
  legacyUses: readonly LegacyUse[];
}

export interface CompileContext<E> {
  source: Source<E>;
  /** macro name -> parsed body */
  macros: ReadonlyMap<string, BoolExpr>;
  /** list name -> items (nested lists already flattened) */
  lists: ReadonlyMap<string, readonly string[]>;
  /**
   * Macro bodies already compiled for this source with these macros and
   * lists: with thousands of rules over the same few macros, each body is
   * compiled and held once, not once per rule. Absent: nothing is shared.
   */
  sharedMacros?: Map<string, SharedMacro<E>>;
}
