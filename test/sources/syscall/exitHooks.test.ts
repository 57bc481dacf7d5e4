// How syscall exits are hooked: the per-syscall exit tracepoints of exactly
// the enabled syscalls, re-attached as the set changes, with the generic
// sys_exit hook only for what they cannot see (ia32 syscalls where the kernel
// runs them, enabled syscalls this kernel has no tracepoint for); or the
// generic hook for everything when asked. A storm of a syscall no rule wants
// runs no exit program, and no exit is reported twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startCapture } from '../../../src/sources/syscall/capture';
import { forEachEvent } from '../../../src/sources/syscall/decode';
import { ADDON_PATH, CaptureError, Probe, type ExitHook } from '../../../src/sources/syscall/probe';
import { slotsFor } from '../../../src/sources/syscall/syscallTable';
import { liveSkipReason, record } from './liveSupport';

const skip = liveSkipReason() ?? (fs.existsSync(ADDON_PATH) ? undefined : `addon not built at ${ADDON_PATH}`);
const STORM = 200000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-exit-hooks-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

function build(name: string): string {
  const exe = path.join(dir, name);
  if (!fs.existsSync(exe)) execFileSync('cc', ['-O2', '-o', exe, path.join(__dirname, 'fixtures', `${name}.c`)]);
  return exe;
}

/** exit-program runs while a loop makes STORM getppid calls, close and openat enabled */
function stormRuns(hook: ExitHook): { runs: number; hooks: Probe['exitHooks'] } {
  const loop = build('getppidLoop');
  const p = new Probe({ ringBytes: 1 << 22, exitHook: hook });
  try {
    p.enableRunStats();
    p.setSlots(slotsFor(['close', 'openat']));
    const before = p.runStats().sysExit.runs;
    execFileSync(loop, [String(STORM)]);
    return { runs: p.runStats().sysExit.runs - before, hooks: p.exitHooks };
  } finally {
    p.close();
  }
}

test('exitHook must be auto, sys_exit or ia32', () => {
  assert.throws(() => new Probe({ exitHook: 'fexit' as ExitHook }), (e: unknown) => e instanceof CaptureError && e.code === 'BAD_OPTION' && /exitHook must be 'auto', 'sys_exit' or 'ia32', got "fexit"/.test(e.message));
});

test('live: exits come through per-syscall tracepoints; a getppid storm runs no exit program', { skip }, () => {
  const { runs, hooks } = stormRuns('auto');
  assert.equal(hooks.mode, 'tracepoint', `per-syscall exit tracepoints in use: ${hooks.why}`);
  assert.deepEqual(hooks.genericSyscalls, []);
  // the generic hook runs only where the kernel runs ia32 code, for it, and then it reports every exit
  assert.equal(hooks.generic, hooks.ia32, `generic hook attached: ${hooks.generic}, for ia32: ${hooks.ia32} (${hooks.why})`);
  assert.equal(hooks.allGeneric, hooks.ia32);
  assert.equal(hooks.attached, hooks.ia32 ? 0 : 2, 'one tracepoint each for close and openat, unless the generic hook runs anyway');
  console.log(`# exit hooks here: ${hooks.mode}, generic hook for ia32: ${hooks.ia32} (${hooks.why})`);
  if (!hooks.ia32) {
    // other processes here close and open files meanwhile (and the loop's
    // start-up does); the storm itself runs nothing, where the generic hook
    // would run once per call
    assert.ok(runs < STORM / 4, `${STORM} getppid calls ran the exit programs ${runs} times`);
  } else {
    assert.ok(runs >= STORM, `with the ia32 hook attached every syscall runs it: ${runs}`);
  }
});

test('live: exitHook sys_exit runs the generic hook on every syscall, as the storm shows', { skip }, () => {
  const { runs, hooks } = stormRuns('sys_exit');
  assert.equal(hooks.mode, 'sys_exit');
  assert.equal(hooks.why, 'the sys_exit hook was asked for');
  assert.equal(hooks.attached, 0);
  assert.equal(hooks.generic, true);
  assert.ok(runs >= STORM, `${runs} runs for ${STORM} getppid calls`);
});

test('live: the tracepoints follow the enabled set, and the generic hook goes when nothing needs it', { skip }, () => {
  const p = new Probe({ ringBytes: 1 << 20 });
  try {
    assert.equal(p.exitHooks.attached, 0, 'nothing enabled, nothing attached');
    p.setSlots(slotsFor(['close']));
    assert.equal(p.exitHooks.attached, 1);
    p.setSlots(slotsFor(['close', 'openat', 'unlink', 'procexit']));
    assert.equal(p.exitHooks.attached, 3, 'procexit is a sched hook, not a syscall exit');
    p.setSlots(slotsFor(['unlink']));
    assert.equal(p.exitHooks.attached, 1);
    p.setSlots(slotsFor([]));
    assert.deepEqual({ attached: p.exitHooks.attached, generic: p.exitHooks.generic }, { attached: 0, generic: false });
  } finally {
    p.close();
  }
});

test('live: an enabled syscall this kernel has no exit tracepoint for is still reported, through the generic hook', { skip }, () => {
  const p = new Probe({ ringBytes: 1 << 20 });
  try {
    p.setSlots(slotsFor(['finit_module', 'init_module', 'close']));
    const h = p.exitHooks;
    if (h.genericSyscalls.length > 0) {
      assert.equal(h.generic, true, 'the generic hook is attached for them');
      // it runs on every syscall now, so it reports close too: a tracepoint beside it would only add cost
      assert.deepEqual({ allGeneric: h.allGeneric, attached: h.attached }, { allGeneric: true, attached: 0 });
      assert.match(p.describeHooks(), new RegExp(`every exit through the generic sys_exit hook: it must run for ${h.genericSyscalls.join(', ')} \\(this kernel has no tracepoint for them\\)`));
      console.log(`# no exit tracepoint here for ${h.genericSyscalls.join(', ')}: every exit through the generic hook`);
      p.setSlots(slotsFor(['close']));
      assert.deepEqual({ allGeneric: p.exitHooks.allGeneric, attached: p.exitHooks.attached, generic: p.exitHooks.generic }, { allGeneric: false, attached: 1, generic: p.exitHooks.ia32 });
    } else {
      assert.equal(h.attached, 3, 'all three have tracepoints here');
    }
  } finally {
    p.close();
  }
});

/** the close(-1) exits the loop's process made, with the probe's exits hooked as `hook` says */
async function closesOf(hook: ExitHook, n: number): Promise<{ closes: number; generic: boolean }> {
  const loop = build('closeLoop');
  let pid = -1;
  let closes = 0;
  // spawnSync blocks this thread, so nothing is drained before pid is known
  const cap = startCapture({ syscalls: ['close'], exitHook: hook }, (view, len) => {
    forEachEvent(view, len, (v) => {
      if (v.tid !== pid) return;
      const r = record(v);
      if (r.name === 'close' && r.dir === '<' && r.p.fd === -1) closes++;
    });
  });
  try {
    const r = spawnSync(loop, [String(n)]);
    pid = r.pid!;
    // the events were already in the ring when the child exited: drain them now, with the pid known
    await new Promise((res) => setTimeout(res, 50));
    cap.drainNow();
    return { closes, generic: cap.probe.exitHooks.generic };
  } finally {
    cap.stop();
  }
}

test('live: each exit is reported once, whichever way exits are hooked (auto, ia32, sys_exit)', { skip }, async () => {
  for (const hook of ['auto', 'ia32', 'sys_exit'] as ExitHook[]) {
    const { closes, generic } = await closesOf(hook, 1000);
    assert.equal(closes, 1000, `${hook}: ${closes} close exits for 1000 close(-1) calls`);
    if (hook !== 'auto') assert.equal(generic, true, `${hook}: the generic hook is attached`);
  }
});
