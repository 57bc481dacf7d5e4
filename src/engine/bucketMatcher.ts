// The rules of one event-type bucket as one generated function: each rule's
// test is called from its own call site (`if (t3(e))`), so V8 sees one target
// per site and can inline small conditions, where a loop over an array of
// tests has one call site for all of them, which goes megamorphic. The text
// holds only generated identifiers; tests and rules come in through `k`.
import type { Predicate } from './check';

/**
 * Runs the bucket's tests in order; calls onMatch with each matching rule,
 * stopping after the first when `first`. A test that throws counts as no
 * match and goes to onError, so one broken rule does not hide the rules after
 * it; without onError it propagates.
 */
export type BucketMatcher<E, R> = (evt: E, first: boolean, onMatch: (rule: R) => void, onError?: (rule: R, err: unknown) => void) => void;

/** Above this many rules a bucket is matched by a loop instead (keeps generated functions optimizable). */
export const MAX_GENERATED_BUCKET = 400;

export function bucketMatcher<E, R>(tests: readonly Predicate<E>[], rules: readonly R[]): BucketMatcher<E, R> {
  if (tests.length !== rules.length) throw new Error('internal: one test per rule');
  if (tests.length === 0) return () => {};
  if (tests.length > MAX_GENERATED_BUCKET) return loopMatcher(tests, rules);
  const n = tests.length;
  const consts = Array.from({ length: n }, (_, i) => `t${i} = k[${i}], r${i} = k[${n + i}]`).join(', ');
  const body = Array.from(
    { length: n },
    (_, i) => `  try { m = t${i}(e); } catch (x) { if (onError === undefined) throw x; onError(r${i}, x); m = false; }\n  if (m) { onMatch(r${i}); if (first) return; }`,
  ).join('\n');
  const src = `'use strict';\nconst ${consts};\nreturn function match(e, first, onMatch, onError) {\n  let m;\n${body}\n};`;
  try {
    return new Function('k', src)([...tests, ...rules]) as BucketMatcher<E, R>;
  } catch (err) {
    // code generation disabled (--disallow-code-generation-from-strings)
    if (err instanceof EvalError) return loopMatcher(tests, rules);
    throw err;
  }
}

function loopMatcher<E, R>(tests: readonly Predicate<E>[], rules: readonly R[]): BucketMatcher<E, R> {
  return (evt, first, onMatch, onError) => {
    for (let i = 0; i < tests.length; i++) {
      let m: boolean;
      try {
        m = tests[i](evt);
      } catch (x) {
        if (onError === undefined) throw x;
        onError(rules[i], x);
        m = false;
      }
      if (m) {
        onMatch(rules[i]);
        if (first) return;
      }
    }
  };
}
