// Live tests (root, BTF) of the enter events for TOCTOU-prone syscalls: a path
// rewritten by another thread while open() waits in the kernel is still the
// fd's name; the enter programs are attached only while one of open,
// openat, openat2, creat, connect is enabled; connect's enter has the address.
// Each runs under the hook the machine picks and under the per-syscall
// tracepoints, whose perf events sit on CPU 0, from a caller pinned elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { compileOutput } from '../../../src/engine/outputFormat';
import { syscallSource } from '../../../src/sources/syscall';
import { startCapture } from '../../../src/sources/syscall/capture';
import type { EnterHook } from '../../../src/sources/syscall/probe';
import { EventView, forEachEvent } from '../../../src/sources/syscall/decode';
import { StateTracker } from '../../../src/sources/syscall/state/tracker';
import { liveSkipReason, record, runChildExit, type Rec } from './liveSupport';

const skip = liveSkipReason();
if (skip) console.log(`# SKIPPING live enter-event tests: ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENTER_CODES = new Set([2, 22, 58, 306, 326]);

/** the last CPU, for callers pinned away from CPU 0, or undefined on one CPU */
const OTHER_CPU = os.availableParallelism() > 1 ? os.availableParallelism() - 1 : undefined;

interface Variant {
  hook: EnterHook;
  /** run the callers through taskset on this CPU */
  cpu?: number;
}
const VARIANTS: { name: string; v: Variant; skip?: string }[] = [
  { name: 'the hook picked here', v: { hook: 'auto' } },
  { name: `per-syscall tracepoints, caller pinned to CPU ${OTHER_CPU}`, v: { hook: 'tracepoint', cpu: OTHER_CPU }, skip: OTHER_CPU === undefined ? 'one CPU only' : undefined },
];

function run(cmd: string, args: string[], cpu?: number): Promise<{ pid: number; code: number | null }> {
  // taskset execs the command, so the pid is the command's
  if (cpu !== undefined) [cmd, args] = ['taskset', ['-c', String(cpu), cmd, ...args]];
  return runChildExit(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function buildSwapper(dir: string): string {
  const exe = path.join(dir, 'swapper');
  execFileSync('cc', ['-O2', '-pthread', '-o', exe, path.join(__dirname, 'fixtures', 'swapper.c')]);
  return exe;
}

/** the enter hook in use: per syscall (never the every-syscall fallback), the tracepoints when asked for */
function checkMode(mode: string, v: Variant, fallback: string): void {
  if (v.hook === 'tracepoint') assert.equal(mode, 'tracepoint', fallback);
  else assert.ok(mode === 'fentry' || mode === 'tracepoint', `a per-syscall hook, not ${mode}: ${fallback}`);
}

const OUT = compileOutput('%evt.dir %fd.name %evt.arg.name', syscallSource);

for (const { name, v: vt, skip: variantSkip } of VARIANTS) {
  test(`live (${name}): a path rewritten by another thread during open() is still the fd.name the alert shows`, { skip: skip ?? variantSkip }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-toctou-'));
    const swapper = buildSwapper(dir);
    const fifo = path.join(dir, 'real.fifo');
    const decoy = path.join(dir, 'innocent.txt');
    execFileSync('mkfifo', [fifo]);

    const events: Rec[] = [];
    const rendered: { tid: number; dir: string; out: string }[] = [];
    const tracker = new StateTracker();
    const cap = startCapture({ syscalls: ['open', 'openat', 'close', 'clone', 'clone3', 'execve'], enterHook: vt.hook }, (view, len) => {
      forEachEvent(view, len, (v) => {
        events.push(record(v));
        const ev = tracker.apply(v);
        if (v.name === 'openat' || v.name === 'open') rendered.push({ tid: v.tid, dir: v.info!.dir, out: OUT.render(ev) });
        tracker.finish();
      });
    });
    let child: { pid: number; code: number | null };
    try {
      assert.equal(cap.probe.enterAttached, true, 'open enabled: an enter program is attached');
      checkMode(cap.probe.enterMode, vt, cap.probe.enterFallback);
      child = await run(swapper, ['open', fifo, decoy], vt.cpu);
      await sleep(200);
      cap.drainNow();
    } finally {
      cap.stop();
    }
    assert.equal(child.code, 0, 'the swapper opened the fifo');
    // the main thread's tid is the process id; its writer thread opens the fifo too, with its own copy
    const mine = events.filter((e) => e.tid === child.pid && (e.name === 'openat' || e.name === 'open'));
    const enter = mine.find((e) => e.dir === '>' && e.p.name === fifo);
    assert.ok(enter, 'the enter event read the real path before the swap');
    const exit = mine[mine.indexOf(enter) + 1];
    assert.equal(exit?.type, enter.type + 1, 'the next open event of the thread is that enter\'s exit');
    assert.ok(exit, 'the exit of that open');
    assert.equal(exit.p.name, decoy, 'the exit read the rewritten buffer: the swap did happen');
    const out = rendered.filter((r) => r.tid === child.pid && r.dir === '<').map((r) => r.out);
    assert.ok(out.includes(`< ${fifo} ${decoy}`), `fd.name is the real path, evt.arg.name the decoy: ${JSON.stringify(out)}`);
  });

  test(`live (${name}): enter events only while their syscalls are enabled; connect enter carries the address`, { skip: skip ?? variantSkip }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-toctou-'));
    const swapper = buildSwapper(dir);
    const server = net.createServer((c) => c.on('data', () => {}).on('end', () => c.end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const events: Rec[] = [];
    const cap = startCapture({ syscalls: ['close', 'socket'], enterHook: vt.hook }, (view, len) => forEachEvent(view, len, (v) => void events.push(record(v))));
    let first: number, second: number;
    try {
      assert.equal(cap.probe.enterAttached, false, 'none of the five enabled: not attached');
      first = (await run(swapper, ['connect', String(port)], vt.cpu)).pid;
      await sleep(100);
      cap.drainNow();
      cap.setSyscalls(['close', 'socket', 'connect']);
      assert.equal(cap.probe.enterAttached, true, 'connect enabled: attached');
      checkMode(cap.probe.enterMode, vt, cap.probe.enterFallback);
      second = (await run(swapper, ['connect', String(port)], vt.cpu)).pid;
      await sleep(100);
      cap.drainNow();
      cap.setSyscalls(['close']);
      assert.equal(cap.probe.enterAttached, false, 'detached again');
    } finally {
      cap.stop();
      server.close();
    }
    assert.ok(events.some((e) => e.tid === first && e.name === 'socket'), 'the first run was captured');
    assert.equal(events.filter((e) => e.tid === first && ENTER_CODES.has(e.type)).length, 0, 'no enter events while connect was off');
    const enter = events.find((e) => e.tid === second && e.name === 'connect' && e.dir === '>');
    assert.ok(enter, 'connect enter');
    assert.deepEqual(enter.p.addr, { family: 2, ip: '127.0.0.1', port });
    const sock = events.find((e) => e.tid === second && e.name === 'socket');
    assert.ok(sock, 'socket of the second run');
    assert.equal(enter.p.fd, sock.p.fd, 'the enter names the socket fd');
    const exit = events.find((e) => e.tid === second && e.name === 'connect' && e.dir === '<');
    assert.ok(exit, 'connect exit');
    assert.equal(exit.p.res, 0);
  });
}
