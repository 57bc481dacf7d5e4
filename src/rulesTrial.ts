// A rules reload is first built in a worker thread with its own memory cap
// and a time limit, so a load that runs away (huge expansions, a file that
// exhausts memory) or takes too long fails there, while the running agent
// goes on evaluating with the rules it has. Only a load that built cleanly in
// the trial is built again on the main thread (compiled closures cannot cross
// threads), and the trial's time bounds how long that build holds the thread.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OutputAppend } from './engine/outputAppend';
import type { RulesInput } from './engine/rules/rulesInput';

export interface TrialLimits {
  /** the trial is stopped and the reload refused after this long */
  timeoutMs: number;
  /** V8 old-generation cap of the trial's worker */
  maxHeapMb: number;
}

export const TRIAL_LIMITS: TrialLimits = { timeoutMs: 30_000, maxHeapMb: 2048 };

/** What the trial said: the load's errors as formatted lines (none: it built), or why it did not finish. */
export type TrialResult = { built: true; ms: number } | { built: false; errors: string[] } | { built: false; failure: string };

export interface TrialRequest {
  files: RulesInput[];
  appends: readonly OutputAppend[];
  staticFields: Readonly<Record<string, string>>;
}

export interface TrialAnswer {
  errors: string[];
  ms: number;
}

/** `signal` ends the trial at once (the agent is stopping) with a failure saying so. */
export function trialLoad(files: RulesInput[], limits: TrialLimits = TRIAL_LIMITS, signal?: AbortSignal, appends: readonly OutputAppend[] = [], staticFields: Readonly<Record<string, string>> = {}): Promise<TrialResult> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = spawnTrialWorker(limits.maxHeapMb);
    const done = (r: TrialResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => done({ built: false, failure: `the rules took longer than ${limits.timeoutMs / 1000} s to build` }), limits.timeoutMs);
    worker.on('message', (a: TrialAnswer) => done(a.errors.length === 0 ? { built: true, ms: a.ms } : { built: false, errors: a.errors }));
    worker.on('error', (err) => {
      const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      done({ built: false, failure: oom ? `building the rules needed more than ${limits.maxHeapMb} MB of memory` : `the trial build failed: ${err.message}` });
    });
    worker.on('exit', (code) => done({ built: false, failure: `the trial build stopped (exit code ${code})` }));
    const onAbort = (): void => done({ built: false, failure: 'the trial build was stopped: the agent is stopping' });
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const req: TrialRequest = { files, appends, staticFields };
    worker.postMessage(req);
  });
}

function spawnTrialWorker(maxHeapMb: number): Worker {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `rulesTrialWorker${ext}`);
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  if (ext !== '.ts') return new Worker(file, { resourceLimits });
  // tsx's --import hook does not reach a worker's entry on Node 20: register its CJS hook first
  const tsx = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(file)});`, { eval: true, resourceLimits });
}
