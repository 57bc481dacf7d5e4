// The benches' BENCH_* knobs: a positive number from the environment, or the
// default when unset; anything else stops the bench before it measures.

/** with `zeroOk`, 0 is accepted too (a part switched off) */
export function positiveKnob(name: string, dflt: number, zeroOk = false): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !zeroOk)) throw new Error(`${name} must be a positive number${zeroOk ? ' or 0' : ''}, got '${v}'`);
  return n;
}
