import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trialLoad } from '../src/rulesTrial';

const good = { name: 'good.yaml', content: '- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n' };

/** Lists doubling per level up to `levels`: 2^levels items in the last, all inside the item bound. */
function doublingLists(levels: number): { name: string; content: string } {
  let content = '- list: l0\n  items: [a]\n';
  for (let i = 1; i <= levels; i++) content += `- list: l${i}\n  items: [l${i - 1}, l${i - 1}]\n`;
  content += `- rule: R\n  desc: d\n  condition: evt.type = open and proc.name in (l${levels})\n  output: o\n  priority: WARNING\n`;
  return { name: 'doubling.yaml', content };
}

// the trials of one test run at once: each worker spends seconds loading the sources under tsx
test('trials: good rules built; errors answered with file:line:col; a trial out of memory fails there while the main thread runs on', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const [ok, bad, oom] = await Promise.all([
    trialLoad([good]),
    trialLoad([{ name: 'bad.yaml', content: '- rule: R\n  desc: d\n  condition: evt.type = open and (\n  output: o\n  priority: WARNING\n' }]),
    trialLoad([doublingLists(19)], { timeoutMs: 60_000, maxHeapMb: 16 }),
  ]).finally(() => clearInterval(timer));
  assert.equal(ok.built, true);

  assert.equal(bad.built, false);
  assert.ok('errors' in bad);
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0], /^bad\.yaml:3:\d+: rule 'R': /);

  assert.deepEqual(oom, { built: false, failure: 'building the rules needed more than 16 MB of memory' });
  assert.ok(ticks > 3, `the main thread's timer ticked only ${ticks} times during the trials`);
});

test('a trial that takes longer than its limit is stopped and refused', async () => {
  const r = await trialLoad([doublingLists(19)], { timeoutMs: 50, maxHeapMb: 2048 });
  assert.deepEqual(r, { built: false, failure: 'the rules took longer than 0.05 s to build' });
});
