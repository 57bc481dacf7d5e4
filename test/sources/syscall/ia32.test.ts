// Live tests (root, BTF) of ia32 syscalls made from 64-bit code with
// `int $0x80`: they are decoded by their ia32 numbers and registers, a number
// that means another syscall on x86_64 is never reported as that syscall, and
// an ia32 call the probe does not decode (socketcall) is counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { startCapture } from '../../../src/sources/syscall/capture';
import type { EnterHook } from '../../../src/sources/syscall/probe';
import { forEachEvent } from '../../../src/sources/syscall/decode';
import { liveSkipReason, record, runChildExit, type Rec } from './liveSupport';

/** why int $0x80 cannot run here (no IA32 emulation), or undefined */
function int80SkipReason(dir: string): string | undefined {
  const exe = path.join(dir, 'int80');
  execFileSync('cc', ['-O2', '-o', exe, path.join(__dirname, 'fixtures', 'int80.c')]);
  const a = path.join(dir, 'probe-a');
  fs.writeFileSync(a, 'x');
  const r = spawnSync(exe, [a, path.join(dir, 'absent')]);
  if (r.status !== 0) return `int $0x80 does not work here (IA32 emulation off?): ${r.signal ?? r.status}`;
  return undefined;
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-ia32-'));
const skip = liveSkipReason() ?? int80SkipReason(workDir);
if (skip) console.log(`# SKIPPING live ia32 tests: ${skip}`);
process.on('exit', () => fs.rmSync(workDir, { recursive: true, force: true }));

for (const hook of ['auto', 'sys_enter'] as EnterHook[]) {
  test(`live (${hook} enter hook): int $0x80 open/unlink/pipe/close are decoded as themselves, colliding x86_64 numbers are not reported, socketcall is counted`, { skip }, async () => {
    const target = path.join(workDir, `target-${hook}`);
    const victim = path.join(workDir, `victim-${hook}`);
    fs.writeFileSync(target, 'data');
    fs.writeFileSync(victim, '');
    const events: Rec[] = [];
    const cap = startCapture({ syscalls: ['open', 'unlink', 'pipe', 'close', 'connect'], enterHook: hook }, (view, len) => {
      forEachEvent(view, len, (v) => {
        events.push(record(v));
      });
    });
    let pid = 0;
    let st;
    try {
      const exe = path.join(workDir, 'int80');
      const r = await runChildExit(exe, [target, victim], { stdio: ['ignore', 'pipe', 'inherit'] });
      pid = r.pid;
      assert.equal(r.code, 0, 'the fixture ran');
      await new Promise((res) => setTimeout(res, 300));
    } finally {
      cap.setSyscalls([]);
      await new Promise((res) => setTimeout(res, 50));
      cap.drainNow();
      st = cap.stats();
      cap.stop();
    }
    assert.equal(st.total.dropped, 0, 'no drops');
    assert.ok(st.net.ia32_unhandled >= 1, `socketcall counted under net (got ${st.net.ia32_unhandled})`);
    assert.equal(fs.existsSync(victim), false, 'the ia32 unlink ran');

    const mine = events.filter((e) => e.tid === pid);
    const opens = mine.filter((e) => e.name === 'open' && e.dir === '<');
    assert.equal(opens.length, 1, `one open exit, the ia32 one (64-bit libc opens with openat): ${JSON.stringify(opens)}`);
    assert.equal(opens[0].p.name, target, 'its path read through ebx');
    // per-syscall enter hooks sit on the x86_64 entry points; the every-syscall
    // fallback sees ia32 calls too, and must decode them the same way
    const enters = mine.filter((e) => e.name === 'open' && e.dir === '>');
    if (hook === 'sys_enter') {
      assert.equal(enters.length, 1, 'the sys_enter hook sees the ia32 open');
      assert.equal(enters[0].p.name, target);
    } else {
      assert.equal(enters.length, 0, `no enter event from the x86_64 entry hooks: ${JSON.stringify(enters)}`);
    }
    const fd = Number(opens[0].p.fd);
    assert.ok(fd >= 3, `a real fd (${fd})`);

    const unlinks = mine.filter((e) => e.name === 'unlink');
    assert.equal(unlinks.length, 1, 'ia32 10 is unlink, not x86_64 mprotect');
    assert.equal(unlinks[0].p.path, victim);
    assert.equal(Number(unlinks[0].p.res), 0);

    const pipes = mine.filter((e) => e.name === 'pipe');
    assert.equal(pipes.length, 1, 'ia32 42 is pipe');
    assert.equal(Number(pipes[0].p.res), 0);
    const fd1 = Number(pipes[0].p.fd1), fd2 = Number(pipes[0].p.fd2);
    assert.ok(fd1 > fd && fd2 === fd1 + 1, `pipe fds ${fd1} ${fd2} after the open's ${fd}`);
    assert.equal(mine.filter((e) => e.name === 'connect').length, 0, 'ia32 42 never passes for connect, enter or exit');

    // ld.so closes fd 3 before main too; the ia32 close is the process's last
    const closes = mine.filter((e) => e.name === 'close');
    const last = closes[closes.length - 1];
    assert.ok(last, 'close events');
    assert.equal(Number(last.p.fd), fd, 'the ia32 close (6, x86_64 lstat) of the opened fd');
    assert.equal(Number(last.p.res), 0);
    assert.ok(mine.indexOf(last) > mine.indexOf(pipes[0]), 'after the pipe');
  });
}
