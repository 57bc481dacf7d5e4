// What a compiled check is, shared by the operators that build checks and the
// code generator that inlines them (operators.ts, codegen.ts).

export type Predicate<E> = (evt: E) => boolean;

/** What a check's `emit` may use to name values in the generated code. */
export interface Emitter {
  /** an identifier bound to `value` (a constant, set, regexp, extractor or function) */
  ref(value: unknown): string;
  /** a non-negative safe integer as a literal */
  int(n: number): string;
}

/**
 * One compiled check. `emit` gives the test as a JS expression over `e` (the
 * event) and `v` (a scratch variable the expression assigns before it reads
 * it), naming values only through identifiers from `g.ref`; without `emit`
 * the generated code calls `test`.
 */
export interface Check<E> {
  test: Predicate<E>;
  emit?: (g: Emitter) => string;
}
