// Live: the probe's kernel run-time counters (what bench:capture reports as
// the kernel-side cost) and prompt delivery of sparse events despite the
// addon's wake-up coalescing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Probe, ADDON_PATH } from '../../../src/sources/syscall/probe';
import { startCapture } from '../../../src/sources/syscall/capture';
import { forEachEvent } from '../../../src/sources/syscall/decode';
import { slotsFor } from '../../../src/sources/syscall/syscallTable';
import { liveSkipReason } from './liveSupport';

const skip = liveSkipReason() ?? (fs.existsSync(ADDON_PATH) ? undefined : `addon not built at ${ADDON_PATH}`);

test('run stats count the syscall-exit program only once enabled, and stop with the probe', { skip }, () => {
  const p = new Probe({ ringBytes: 1 << 20 });
  try {
    p.enableRunStats();
    p.enableRunStats(); // a second call keeps the one counter
    const before = p.runStats();
    p.setSlots(slotsFor(['openat', 'close']));
    const r = spawnSync('cat', ['/etc/hostname']);
    assert.equal(r.status, 0);
    const after = p.runStats();
    assert.ok(after.sysExit.runs > before.sysExit.runs, `sys_exit ran (${before.sysExit.runs} -> ${after.sysExit.runs})`);
    assert.ok(after.sysExit.ns > before.sysExit.ns, 'and took time');
    assert.ok(after.process.runs > before.process.runs, 'exec/fork/exit hooks ran for the child');
    assert.ok(p.stats().total.seen > 0, 'cat opened and closed files');
  } finally {
    p.close();
  }
  assert.throws(() => p.runStats(), /probe is closed/);
});

test('a lone event reaches JavaScript within a few milliseconds', { skip }, async () => {
  let arrived = 0n;
  const target = `/tmp/vigil-latency-${process.pid}`;
  const cap = startCapture({ syscalls: ['openat'] }, (view, len) => {
    forEachEvent(view, len, (v) => {
      if (arrived === 0n && v.str(2) === target) arrived = process.hrtime.bigint();
    });
  });
  try {
    // busy first, so the watcher's last wake-up is recent and coalescing applies
    spawnSync('sh', ['-c', 'for i in 1 2 3 4 5 6 7 8; do cat /etc/hostname >/dev/null; done']);
    await new Promise((r) => setTimeout(r, 20));
    spawnSync('sh', ['-c', `cat ${target} 2>/dev/null; true`]);
    // JavaScript cannot see the event before spawnSync returns: time from there
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 200 && arrived === 0n; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(arrived > 0n, 'the openat of the target arrived');
    const ms = Number(arrived - t0) / 1e6;
    // the coalescing adds at most 2 ms; the margin is for a loaded machine
    assert.ok(ms < 250, `arrived after ${ms.toFixed(1)} ms`);
  } finally {
    cap.stop();
  }
});
