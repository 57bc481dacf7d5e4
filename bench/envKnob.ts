// The benches' BENCH_* knobs: a positive number from the environment, or the
// default when unset; anything else stops the bench before it measures.

export function positiveKnob(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${v}'`);
  return n;
}
