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
  // events evaluated since the other work last ran, and the most seen
  let sinceTick = 0;
  let mostBetweenTicks = 0;
  // 0.2 ms per event, 2 ms per turn: about 10 events a turn
  const q = new EvaluationQueue({ accept: () => { spin(0.2); accepted++; mostBetweenTicks = Math.max(mostBetweenTicks, ++sinceTick); } }, 2);
  const events = Array.from({ length: 300 }, (_, n) => ({ n }));
  let turnsSeen = 0;
  let stop = false;
  const tick = (): void => {
    turnsSeen++;
    sinceTick = 0;
    if (!stop) setImmediate(tick);
  };
  setImmediate(tick);
  const r = await new Promise<EvaluationResult>((resolve) => q.submit(events, resolve));
  stop = true;
  assert.equal(r.accepted, 300);
  assert.equal(accepted, 300);
  assert.ok(turnsSeen >= 10, `other work ran only ${turnsSeen} times while 300 events were evaluated`);
  // a slice runs past its budget by at most CLOCK_EVERY events (16): at most
  // 10 + 16 between two runs of the other work (unsliced: 300). Counted in
  // events, not ms: on a loaded machine a turn's clock time includes the
  // time the process was not running, which can only lower this count.
  assert.ok(mostBetweenTicks <= 26, `${mostBetweenTicks} events evaluated in one turn`);
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

test('tasks (work that cannot be cut) run whole, in FIFO order with batches, one turn each once over budget', async () => {
  const order: string[] = [];
  const q = new EvaluationQueue({ accept: (e) => void order.push(`event ${e.n}`) }, 5);
  // an immediate callback marks each turn boundary that other work could use
  let turns = 0;
  let stop = false;
  const tick = (): void => {
    turns++;
    order.push(`turn ${turns}`);
    if (!stop) setImmediate(tick);
  };
  setImmediate(tick);
  const done = new Promise<void>((resolve) => {
    // three 8 ms decodes arrive together (each over the 5 ms budget), then a batch behind them
    for (const k of [1, 2, 3]) q.defer(() => { spin(8); order.push(`task ${k}`); });
    q.submit([{ n: 1 }], () => resolve());
  });
  assert.deepEqual(order, ['task 1'], 'the first task runs at once: the queue was empty and the turn had budget');
  await done;
  stop = true;
  const tasksAndEvents = order.filter((x) => !x.startsWith('turn'));
  assert.deepEqual(tasksAndEvents, ['task 1', 'task 2', 'task 3', 'event 1'], 'FIFO');
  // other work got a turn between every two tasks
  for (const [a, b] of [['task 1', 'task 2'], ['task 2', 'task 3']]) {
    const between = order.slice(order.indexOf(a) + 1, order.indexOf(b));
    assert.ok(between.some((x) => x.startsWith('turn')), `a turn between ${a} and ${b}: ${order.join(', ')}`);
  }
});

test('a task that throws is counted and the queue goes on', async () => {
  const q = new EvaluationQueue({ accept: () => undefined }, 50);
  q.defer(() => {
    throw new Error('decode blew up');
  });
  const r = await new Promise<EvaluationResult>((resolve) => q.submit([{ n: 1 }], resolve));
  assert.equal(r.accepted, 1);
  assert.equal(q.sinkErrors, 1);
});
