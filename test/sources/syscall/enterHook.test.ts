// How enter events are hooked: fentry on the five syscalls' entry functions
// when the kernel allows it, else their per-syscall tracepoints, else the
// sys_enter tracepoint (which runs on every syscall). The mode is reported;
// under the first two a storm of a syscall with no enter event runs no enter
// program at all, and finding the tracepoints leaves no tracefs mount behind.
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

/** tracefs mount points now, from /proc/self/mounts */
function tracefsMounts(): string[] {
  return fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.split(' ')[2] === 'tracefs').map((l) => l.split(' ')[1]!);
}

test('enterHook must be auto, tracepoint or sys_enter', () => {
  assert.throws(() => new Probe({ enterHook: 'kprobe' as EnterHook }), (e: unknown) => e instanceof CaptureError && e.code === 'BAD_OPTION' && /enterHook must be 'auto', 'tracepoint' or 'sys_enter', got "kprobe"/.test(e.message));
});

test('live: the enter hook in use is reported, per syscall (fentry or tracepoint); a getppid storm runs no enter program', { skip }, () => {
  const auto = stormRuns('auto', buildLoop());
  assert.ok(auto.mode === 'fentry' || auto.mode === 'tracepoint', `creat enabled: a per-syscall enter hook is attached, not ${auto.mode} (${auto.fallback})`);
  if (auto.mode === 'fentry') assert.equal(auto.fallback, '', 'no fallback reason under fentry');
  else assert.ok(auto.fallback.length > 0 && !/tracepoint/.test(auto.fallback), `says why fentry is not used, and nothing against the tracepoints: ${auto.fallback}`);
  if (auto.mode === 'tracepoint') console.log(`# enter events use the per-syscall tracepoints here: ${auto.fallback}`);
  assert.equal(auto.runs, 0, `${STORM} getppid calls ran the enter programs ${auto.runs} times`);
});

test('live: enterHook tracepoint hooks the per-syscall tracepoints, which a getppid storm does not run', { skip }, () => {
  const tp = stormRuns('tracepoint', buildLoop());
  assert.equal(tp.mode, 'tracepoint', tp.fallback);
  assert.equal(tp.fallback, 'the tracepoint hook was asked for');
  assert.equal(tp.runs, 0, `${STORM} getppid calls ran the tracepoint programs ${tp.runs} times`);
});

test('live: enterHook sys_enter forces the every-syscall tracepoint, whose runs the storm shows', { skip }, () => {
  const forced = stormRuns('sys_enter', buildLoop());
  assert.equal(forced.mode, 'sys_enter');
  assert.equal(forced.fallback, 'the sys_enter hook was asked for');
  assert.ok(forced.runs >= STORM, `${forced.runs} runs for ${STORM} getppid calls`);
});

/**
 * tracefs mounts on, and directories named like, the probe's temporary mount
 * point. A probe starting in another test may hold one for a moment, so this
 * waits up to a second for them to go: only one left behind stays.
 */
function tempMountsLeft(): string[] {
  const deadline = Date.now() + 1000;
  for (;;) {
    const left = [
      ...tracefsMounts().filter((m) => /vigil-tracefs-/.test(m)),
      ...fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('vigil-tracefs-')),
    ];
    if (left.length === 0 || Date.now() > deadline) return left;
    execFileSync('sleep', ['0.05']);
  }
}

test('live: finding the tracepoints leaves no tracefs mount behind, nor its directory', { skip }, () => {
  const others = () => tracefsMounts().filter((m) => !/vigil-tracefs-/.test(m));
  const before = others();
  const p = new Probe({ ringBytes: 1 << 20, enterHook: 'tracepoint' });
  try {
    p.setSlots(slotsFor(['openat', 'connect']));
    assert.equal(p.enterMode, 'tracepoint', p.enterFallback);
    assert.deepEqual(tempMountsLeft(), [], 'nothing left after start');
    assert.deepEqual(others(), before, 'other tracefs mounts untouched');
  } finally {
    p.close();
  }
  assert.deepEqual(tempMountsLeft(), [], 'nothing left after stop');
  assert.deepEqual(others(), before, 'other tracefs mounts untouched after stop');
});

const TRACING = '/sys/kernel/tracing';
const tracingFree = skip ?? (fs.existsSync(`${TRACING}/events`) ? `tracefs is already mounted at ${TRACING}` : fs.existsSync(TRACING) ? undefined : `no ${TRACING}`);

test('live: a tracefs already mounted is used as it is, and stays mounted', { skip: tracingFree }, () => {
  execFileSync('mount', ['-t', 'tracefs', 'nodev', TRACING]);
  try {
    const before = tracefsMounts();
    assert.ok(before.includes(TRACING));
    const p = new Probe({ ringBytes: 1 << 20, enterHook: 'tracepoint' });
    try {
      p.setSlots(slotsFor(['creat']));
      assert.equal(p.enterMode, 'tracepoint', p.enterFallback);
      assert.deepEqual(tracefsMounts(), before, 'no second mount');
    } finally {
      p.close();
    }
    assert.deepEqual(tracefsMounts(), before, 'still mounted where it was');
  } finally {
    execFileSync('umount', [TRACING]);
  }
});

const tracefsUnmounted = skip ?? (['/sys/kernel/tracing', '/sys/kernel/debug/tracing'].some((d) => fs.existsSync(`${d}/events/syscalls`)) ? 'tracefs is mounted: its ids are read there' : undefined);

test('live: with tracefs unmounted the ids come through a detached mount: no directory is made, so a TMPDIR that does not exist changes nothing', { skip: tracefsUnmounted }, () => {
  const saved = process.env.TMPDIR;
  // the addon reads the environment of this process: a path nobody can mount on
  process.env.TMPDIR = path.join(os.tmpdir(), 'vigil-no-such-dir', 'deeper');
  const before = tracefsMounts();
  try {
    const p = new Probe({ ringBytes: 1 << 20, enterHook: 'tracepoint' });
    try {
      p.setSlots(slotsFor(['creat']));
      assert.equal(p.enterMode, 'tracepoint', p.enterFallback);
      assert.deepEqual(tracefsMounts(), before, 'no tracefs mount appears');
    } finally {
      p.close();
    }
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.ok(!fs.existsSync(path.join(os.tmpdir(), 'vigil-no-such-dir')));
});
