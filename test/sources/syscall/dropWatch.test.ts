import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DropWatch, type DropDelta } from '../../../src/sources/syscall/dropWatch';
import { startCapture } from '../../../src/sources/syscall/capture';
import type { ProbeStats } from '../../../src/sources/syscall/probe';
import { liveSkipReason } from './liveSupport';

const skip = liveSkipReason();

/** Counters as the probe gives them, with `file` and `net` drops and seen as given, the rest zero. */
function stats(seen: number, file: number, net = 0): ProbeStats {
  const zero = { seen: 0, dropped: 0, truncated: 0, ia32_unhandled: 0 };
  return {
    process: zero,
    file: { ...zero, seen, dropped: file },
    net: { ...zero, dropped: net },
    other: zero,
    total: { ...zero, seen, dropped: file + net },
  };
}

test('drops are said at once, then at most once per interval with the drops between summed, and counted throughout', () => {
  let current = stats(100, 0);
  const lines: string[] = [];
  const deltas: DropDelta[] = [];
  const w = new DropWatch(() => current, { log: (m) => lines.push(m), onDrops: (d) => deltas.push(d), logEveryMs: 60_000 });
  w.start();
  w.poll();
  assert.deepEqual(lines, [], 'nothing said without drops');

  current = stats(1000, 10, 2);
  w.poll();
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^syscall: 12 events dropped by the probe in the last \d+\.\d s \(file 10, net 2\); 12 of 1000 seen dropped since start \(1\.20%\)$/);

  current = stats(2000, 30, 2);
  w.poll();
  current = stats(3000, 50, 7);
  w.poll();
  assert.equal(lines.length, 1, 'within the interval nothing more is said');
  assert.deepEqual([w.seen, w.dropped], [3000, 57]);
  assert.deepEqual(
    deltas.map((d) => d.total.dropped),
    [12, 20, 25],
  );
  assert.deepEqual([deltas[2].file.dropped, deltas[2].net.dropped], [20, 5]);

  w.stop();
  assert.equal(lines.length, 2, 'stop says what was not said');
  assert.match(lines[1], /^syscall: 45 events dropped by the probe in the last \d+\.\d s \(file 40, net 5\); 57 of 3000 seen dropped since start \(1\.90%\)$/);
});

test('with a short interval each poll with new drops says them', async () => {
  let current = stats(10, 0);
  const lines: string[] = [];
  const w = new DropWatch(() => current, { log: (m) => lines.push(m), logEveryMs: 1 });
  w.start();
  for (let i = 1; i <= 3; i++) {
    current = stats(10 * (i + 1), i);
    await new Promise((r) => setTimeout(r, 5));
    w.poll();
  }
  w.stop();
  assert.equal(lines.length, 3);
  assert.match(lines[2], /^syscall: 1 events dropped .* 3 of 40 seen dropped since start/);
});

test('live: a tiny ring that overflows while the agent is busy is said on the log while capture runs', { skip }, async () => {
  const cap = startCapture({ syscalls: ['openat', 'close'], ringBytes: 4096 }, () => {});
  const lines: string[] = [];
  const w = new DropWatch(() => cap.probe.stats(), { log: (m) => lines.push(m), intervalMs: 50 });
  w.start();
  try {
    const child = spawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 300 ]; do cat /etc/hostname >/dev/null; i=$((i+1)); done'], { stdio: 'ignore' });
    const exited = new Promise((r) => child.on('exit', r));
    // hold the event loop so the ring cannot be drained while the child opens files
    const until = Date.now() + 400;
    while (Date.now() < until) {
      /* busy */
    }
    await exited;
    const end = Date.now() + 10_000;
    while (lines.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    // one line at once; more only if the machine is so slow that this took over 10 s
    assert.ok(lines.length >= 1, 'said while running, before stop');
    assert.match(lines[0], /^syscall: \d+ events dropped by the probe in the last/);
    // the probe sees every process's opens, so it may have dropped more since the last poll
    assert.ok(w.dropped > 0 && w.dropped <= cap.probe.stats().total.dropped, `${w.dropped} counted`);
  } finally {
    w.stop();
    cap.stop();
  }
});
