// How many cases each property-based test runs: a few thousand in `npm test`,
// many more under `npm run fuzz` (VIGIL_FUZZ_RUNS). A failure prints the seed
// and the shrunk counterexample; VIGIL_FUZZ_SEED replays a run.
import type { Parameters } from 'fast-check';

export function fuzzParams<T>(defaultRuns = 2000): Parameters<T> {
  const runs = Number(process.env.VIGIL_FUZZ_RUNS ?? defaultRuns);
  const seed = process.env.VIGIL_FUZZ_SEED;
  return { numRuns: runs, ...(seed !== undefined ? { seed: Number(seed) } : {}) };
}
