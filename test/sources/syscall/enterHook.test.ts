// How enter events are hooked: fentry on the five syscalls' entry functions
// when the kernel allows it, else the sys_enter tracepoint (which runs on
// every syscall). The mode is reported, and under fentry a storm of a syscall
// with no enter event runs no enter program at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ADDON_PATH, CaptureError, Probe, type EnterHook } from '../../../src/sources/syscall/probe';
import { slotsFor } from '../../../src/sources/syscall/syscallTable';
import { liveSkipReason } from './liveSupport';

const skip = liveSkipReason() ?? (fs.existsSync(ADDON_PATH) ? undefined : `addon not built at ${ADDON_PATH}`);
const STORM = 200000;

function buildLoop(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-getppid-'));
  const exe = path.join(dir, 'getppidLoop');
  execFileSync('cc', ['-O2', '-o', exe, path.join(__dirname, 'fixtures', 'getppidLoop.c')]);
  return exe;
}

/** enter-program runs while the loop makes STORM getppid calls, creat (a syscall hardly anything calls) enabled */
function stormRuns(hook: EnterHook, loop: string): { mode: string; fallback: string; runs: number } {
  const p = new Probe({ ringBytes: 1 << 20, enterHook: hook });
  try {
    assert.equal(p.enterMode, 'none', 'nothing hooked before any syscall is enabled');
    p.enableRunStats();
    p.setSlots(slotsFor(['creat', 'close']));
    const before = p.runStats().sysEnter.runs;
    execFileSync(loop, [String(STORM)]);
    return { mode: p.enterMode, fallback: p.enterFallback, runs: p.runStats().sysEnter.runs - before };
  } finally {
    p.close();
  }
}

test('enterHook must be auto or sys_enter', () => {
  assert.throws(() => new Probe({ enterHook: 'kprobe' as EnterHook }), (e: unknown) => e instanceof CaptureError && e.code === 'BAD_OPTION' && /enterHook must be 'auto' or 'sys_enter', got "kprobe"/.test(e.message));
});

test('live: the enter hook in use is reported; under fentry a getppid storm runs no enter program', { skip }, () => {
  const loop = buildLoop();
  const auto = stormRuns('auto', loop);
  assert.ok(auto.mode === 'fentry' || auto.mode === 'sys_enter', `creat enabled: an enter hook is attached (${auto.mode})`);
  if (auto.mode === 'fentry') {
    assert.equal(auto.fallback, '', 'no fallback reason under fentry');
    assert.equal(auto.runs, 0, `${STORM} getppid calls ran the enter programs ${auto.runs} times`);
  } else {
    assert.ok(auto.fallback.length > 0, 'the fallback says why fentry is not used');
    // this kernel refuses fentry: the zero-runs check cannot apply here
    console.log(`# enter events use sys_enter here: ${auto.fallback}`);
    assert.ok(auto.runs >= STORM, `the sys_enter fallback runs on every syscall: ${auto.runs} runs for ${STORM} getppid calls`);
  }
});

test('live: enterHook sys_enter forces the every-syscall tracepoint, whose runs the storm shows', { skip }, () => {
  const forced = stormRuns('sys_enter', buildLoop());
  assert.equal(forced.mode, 'sys_enter');
  assert.equal(forced.fallback, 'the sys_enter hook was asked for');
  assert.ok(forced.runs >= STORM, `${forced.runs} runs for ${STORM} getppid calls`);
});
