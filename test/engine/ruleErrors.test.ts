import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuleErrors } from '../../src/engine/ruleErrors';

test('a rule\'s first failure is said in full, then its count at 10, 100, ...; rules are counted apart', () => {
  const said: string[] = [];
  const errs = new RuleErrors((m) => said.push(m));
  for (let i = 0; i < 100; i++) errs.report('A', new Error(`bad ${i}`), 'syscall', 'openat');
  errs.report('B', new Error('other'), 'k8s_audit', undefined);
  assert.deepEqual(said, [
    "rule 'A': its condition failed on a syscall event of type openat and was taken as no match: bad 0",
    "rule 'A': its condition has failed 10 times (latest on a syscall event of type openat: bad 9)",
    "rule 'A': its condition has failed 100 times (latest on a syscall event of type openat: bad 99)",
    "rule 'B': its condition failed on a k8s_audit event and was taken as no match: other",
  ]);
  assert.deepEqual([...errs.byRule], [['A', 100], ['B', 1]]);
});
