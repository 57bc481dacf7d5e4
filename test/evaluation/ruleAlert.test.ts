import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledRule } from '../../src/engine/compiledRule';
import { RuleAlert } from '../../src/evaluation/ruleAlert';

test('a RuleAlert computes its output fields once, from the event as it was on the first ask', () => {
  const evt = { name: 'bash' };
  let calls = 0;
  const rule = {
    name: 'R',
    priority: 'warning',
    source: 'syscall',
    tags: ['t'],
    output: {
      render: (e: typeof evt) => `proc=${e.name}`,
      fields: (e: typeof evt) => {
        calls++;
        return { 'proc.name': e.name };
      },
    },
  } as unknown as CompiledRule<typeof evt>;
  const alert = new RuleAlert(rule, evt, 1n);
  assert.equal(alert.message, 'proc=bash');
  const first = alert.outputFields();
  // a decoder that reuses its event object (replay) changes it after the emit
  evt.name = 'other';
  assert.deepEqual(alert.outputFields(), { 'proc.name': 'bash' });
  assert.equal(alert.outputFields(), first);
  assert.equal(calls, 1);
});
