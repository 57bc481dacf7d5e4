// Whether an evaluation worker built exactly the main thread's rules: the
// names of the enabled rules, in order, compared. The worker checks before it
// installs new rules, and the main thread checks the worker's answer.

/** How a worker's enabled rules differ from the main thread's, in a few words; undefined when they are the same, in the same order. */
export function enabledDifference(main: readonly string[], worker: readonly string[]): string | undefined {
  const n = Math.max(main.length, worker.length);
  for (let i = 0; i < n; i++) {
    if (main[i] === worker[i]) continue;
    if (i >= worker.length) return `${main.length} on the main thread, ${worker.length} in the worker: it lacks '${main[i]}'`;
    if (i >= main.length) return `${main.length} on the main thread, ${worker.length} in the worker: it also has '${worker[i]}'`;
    return `rule ${i + 1} is '${main[i]}' on the main thread, '${worker[i]}' in the worker`;
  }
  return undefined;
}
