import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvaluationQueue, type EvaluationResult } from '../../src/server/evaluationQueue';

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('a small batch is evaluated at once, in order', () => {
  const seen: unknown[] = [];
  const q = new EvaluationQueue({ accept: (e) => void seen.push(e.n) }, 50);
  let result: EvaluationResult | undefined;
  q.submit([{ n: 1 }, { n: 2 }, { n: 3 }], (r) => (result = r));
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(result, { accepted: 3, failed: 0 });
});

test('a long batch yields to the event loop between slices', async () => {
  let accepted = 0;
  // 0.2 ms per event, 2 ms per turn: about 10 events a turn
  const q = new EvaluationQueue({ accept: () => { spin(0.2); accepted++; } }, 2);
  const events = Array.from({ length: 300 }, (_, n) => ({ n }));
  let turnsSeen = 0;
  let stop = false;
  const tick = (): void => {
    turnsSeen++;
    if (!stop) setImmediate(tick);
  };
  setImmediate(tick);
  const r = await new Promise<EvaluationResult>((resolve) => q.submit(events, resolve));
  stop = true;
  assert.equal(r.accepted, 300);
  assert.equal(accepted, 300);
  assert.ok(turnsSeen >= 10, `other work ran only ${turnsSeen} times while 300 events were evaluated`);
  // a turn runs a slice past its budget by at most CLOCK_EVERY events (16 x 0.2 ms)
  // (plus slack for a busy CI machine); unsliced it would be 60 ms
  assert.ok(q.longestTurnMs < 30, `longest turn ${q.longestTurnMs} ms`);
});

test('batches finish in the order they came', async () => {
  const q = new EvaluationQueue({ accept: () => spin(0.05) }, 1);
  const done: string[] = [];
  const all = ['a', 'b', 'c'].map(
    (name) => new Promise<void>((resolve) => q.submit(Array.from({ length: 60 }, () => ({})), () => { done.push(name); resolve(); })),
  );
  await Promise.all(all);
  assert.deepEqual(done, ['a', 'b', 'c']);
  assert.equal(q.pendingBatches, 0);
});

test('an event whose evaluation throws is counted and the rest go on', () => {
  const q = new EvaluationQueue({ accept: (e) => { if (e.bad) throw new Error(`bad event ${String(e.n)}`); } }, 50);
  let result: EvaluationResult | undefined;
  q.submit([{ n: 1 }, { n: 2, bad: true }, { n: 3 }, { n: 4, bad: true }], (r) => (result = r));
  assert.deepEqual(result, { accepted: 2, failed: 2, firstError: 'bad event 2' });
  assert.equal(q.sinkErrors, 2);
});
