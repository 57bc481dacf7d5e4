// The trial build of a rules reload (see rulesTrial.ts): loads the files as
// the agent would and answers with the errors, formatted.
import { parentPort } from 'node:worker_threads';
import { Engine } from './engine/engine';
import { builtinSources } from './sources';
import type { TrialAnswer, TrialRequest } from './rulesTrial';

const port = parentPort;
if (!port) throw new Error('rulesTrialWorker.ts runs only as a worker thread (see rulesTrial.ts)');

port.once('message', (req: TrialRequest) => {
  const started = Date.now();
  const engine = new Engine(builtinSources(), { appends: req.appends, staticFields: req.staticFields });
  const res = engine.loadRulesContent(req.files);
  const answer: TrialAnswer = { errors: res.errors.map((e) => e.format()), ms: Date.now() - started };
  port.postMessage(answer);
});
