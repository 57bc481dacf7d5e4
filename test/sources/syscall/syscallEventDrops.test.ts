import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverride, builtinDefaults, ConfigError } from '../../../src/config';
import { DropMonitor, syscallEventDropsConfig } from '../../../src/sources/syscall/syscallEventDrops';

const c = (...o: string[]) => syscallEventDropsConfig(o.reduce((acc, x) => applyOverride(acc, x), builtinDefaults()));

test('invalid syscall_event_drops settings are refused with the key named', () => {
  const refused = (o: string, re: RegExp) => assert.throws(() => c(o), (e: unknown) => e instanceof ConfigError && re.test(e.message), o);
  refused('syscall_event_drops.threshold=1.5', /syscall_event_drops\.threshold: 1\.5 is outside 0\.\.1/);
  refused('syscall_event_drops.threshold=-0.1', /syscall_event_drops\.threshold: -0\.1 is outside 0\.\.1/);
  refused('syscall_event_drops.threshold=lots', /syscall_event_drops\.threshold: expected a number/);
  refused('syscall_event_drops.actions=[log, shout]', /unknown action 'shout'/);
  refused('syscall_event_drops.actions=log', /expected a list/);
  refused('syscall_event_drops.actions=[ignore, log]', /'ignore' cannot be combined/);
  refused('syscall_event_drops.rate=0', /syscall_event_drops\.rate/);
  refused('syscall_event_drops.max_burst=0', /syscall_event_drops\.max_burst: 0 is outside/);
  const ok = c('syscall_event_drops.actions=[LOG, exit]', 'syscall_event_drops.threshold=0');
  assert.deepEqual([...ok.actions], ['log', 'exit']);
  assert.equal(ok.threshold, 0);
});

test('DropMonitor: actions above the threshold only, log/alert rate-limited by the token bucket, exit always', () => {
  const m = new DropMonitor(c('syscall_event_drops.actions=[log, alert]', 'syscall_event_drops.rate=1', 'syscall_event_drops.max_burst=2'), 0);
  assert.equal(m.check(1000, 0, 1000), undefined, 'no drops');
  assert.equal(m.check(2000, 50, 2000), undefined, '50 of 1050 is under 10%');
  const v = m.check(2500, 250, 3000)!;
  assert.deepEqual(v, { seen: 500, dropped: 200, ratio: 200 / 700, actions: ['log', 'alert'] });
  // the burst of 2 had refilled to 2 (capped); one used above, one left
  assert.ok(m.check(2600, 450, 3000));
  assert.equal(m.check(2700, 650, 3000), undefined, 'bucket empty');
  assert.ok(m.check(2800, 850, 4000), 'one token a second later');
  const exit = new DropMonitor(c('syscall_event_drops.actions=[exit]', 'syscall_event_drops.threshold=0'), 0);
  assert.deepEqual(exit.check(10, 1, 1000)?.actions, ['exit']);
  const ignore = new DropMonitor(c('syscall_event_drops.actions=[ignore]', 'syscall_event_drops.threshold=0'), 0);
  assert.equal(ignore.check(10, 5, 1000), undefined);
});
