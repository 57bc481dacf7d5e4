import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePriority } from '../../src/engine/priority';
import { AlertCounts } from '../../src/outputs/summary';

test('summary keeps the counts of rules no longer loaded (a reload dropped them), after the loaded ones', () => {
  const c = new AlertCounts();
  c.count('Old', parsePriority('warning')!);
  c.count('A', parsePriority('error')!);
  c.count('Old', parsePriority('warning')!);
  // the rules now loaded no longer hold 'Old'; its alerts were still emitted and counted in the total
  const text = c.format(['A', 'B']);
  assert.equal(
    text,
    'Events detected: 3\nRule counts by severity:\n   Error: 1\n   Warning: 2\nTriggered rules by rule name:\n   A: 1\n   Old: 2\n',
  );
});
