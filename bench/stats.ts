// Summaries of repeated bench runs, and the one way the benches print counts.

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

// medians of alternating runs: other work on the machine hits single runs
export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** the q-quantile (0..1) of xs, interpolated between the nearest ranks */
export const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (at - lo) : s[lo];
};
