import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syscallsToCapture } from '../../../src/sources/syscall/captureSet';

function set(x: string[] | 'all'): Set<string> {
  assert.notEqual(x, 'all');
  return new Set(x as string[]);
}

test('rules needing only opens: process and fd state, no socket state', () => {
  const s = set(syscallsToCapture(new Set(['open', 'openat', 'openat2']), false));
  for (const n of ['openat', 'execve', 'clone', 'procexit', 'close', 'dup2']) assert.ok(s.has(n), n);
  for (const n of ['connect', 'socket', 'accept', 'accept4', 'chmod', 'sendto']) assert.ok(!s.has(n), n);
});

test('rules on events whose fds can be sockets bring socket state', () => {
  for (const t of ['connect', 'dup2', 'sendto']) {
    const s = set(syscallsToCapture(new Set([t]), false));
    for (const n of ['socket', 'connect', 'accept', 'accept4', t]) assert.ok(s.has(n), `${t}: ${n}`);
  }
});

test("'all' rules or -A capture everything; names the probe cannot capture are dropped", () => {
  assert.equal(syscallsToCapture('all', false), 'all');
  assert.equal(syscallsToCapture(new Set(['open']), true), 'all');
  assert.ok(!set(syscallsToCapture(new Set(['open', 'container']), false)).has('container'));
});
