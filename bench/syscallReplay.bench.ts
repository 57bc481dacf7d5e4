// The agent's user-space syscall path offline: decode, state tracking and the
// full default ruleset over recorded probe events, on one core, repeatably.
//
//   node --import tsx bench/syscallReplay.bench.ts [record|replay]   (default: both)
//
// record: captures what bench:syscalls' generator makes (the syscalls the
// default rules and state tracking ask for) for BENCH_RECORD_SECONDS into
// build/bench/syscalls.rec; the capture starts before the generator is spawned,
// so its clones and execs are in the recording and replay needs no /proc.
// replay: seeds state from /proc once, then times BENCH_PASSES passes of the
// recording through the same batchHandler + ruleset the agent runs; prints
// events per CPU second of this process (one thread does the work) and a JSON line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { batchHandler, StateTracker } from '../src/sources/syscall';
import { startCapture } from '../src/sources/syscall/capture';
import { syscallsToCapture } from '../src/sources/syscall/captureSet';
import { EventView, forEachEvent } from '../src/sources/syscall/decode';
import { loadDefaultSyscallRules } from './defaultSyscallRules';
import { positiveKnob } from './envKnob';
import { fmt } from './stats';
import { GENERATOR_BIN } from './syscallGenerator';

const root = path.resolve(__dirname, '..');
const REC = path.join(root, 'build', 'bench', 'syscalls.rec');
const RECORD_SECONDS = positiveKnob('BENCH_RECORD_SECONDS', 1);
const PASSES = Math.round(positiveKnob('BENCH_PASSES', 10));
const MAX_REC_BYTES = 256 * 1024 * 1024;

async function record(): Promise<void> {
  if (!fs.existsSync(GENERATOR_BIN)) throw new Error(`${GENERATOR_BIN} is missing: run npm run bench:syscalls once to build it`);
  const syscalls = syscallsToCapture(loadDefaultSyscallRules().ruleset.eventTypes(), false);
  const out = Buffer.alloc(MAX_REC_BYTES);
  let used = 0;
  let full = false;
  const cap = startCapture({ syscalls, ringBytes: 64 * 1024 * 1024 }, (_view, length) => {
    if (full) return;
    if (used + length > out.length) {
      full = true;
      return;
    }
    out.set(new Uint8Array(cap.probe.buffer, 0, length), used);
    used += length;
  });
  try {
    // runs longer than we record, so no exits land in the recording
    const gen = spawn(GENERATOR_BIN, [String(RECORD_SECONDS + 2), '2', '64'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, RECORD_SECONDS * 1000));
    cap.drainNow();
    cap.stop();
    gen.kill('SIGKILL');
  } finally {
    cap.stop();
  }
  fs.mkdirSync(path.dirname(REC), { recursive: true });
  fs.writeFileSync(REC, out.subarray(0, used));
  let events = 0;
  const view = new EventView(out.buffer);
  const counts = new Map<string, number>();
  forEachEvent(view, used, (v) => {
    events++;
    counts.set(v.name, (counts.get(v.name) ?? 0) + 1);
  });
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`recorded ${events} events (${used} bytes) in ${REC}; ${top}${full ? ' (buffer full: truncated)' : ''}`);
}

function replay(): void {
  if (!fs.existsSync(REC)) throw new Error(`${REC} is missing: run this with 'record' first (as root)`);
  const file = fs.readFileSync(REC);
  const buf = new ArrayBuffer(file.length);
  new Uint8Array(buf).set(file);
  // batches as the capture hands them over: at most 1 MiB, on event boundaries
  const batches: [number, number][] = [];
  {
    const v = new EventView(buf);
    let start = 0;
    let off = 0;
    while (off < buf.byteLength) {
      const len = v.moveTo(off, buf.byteLength);
      if (off + len - start > 1024 * 1024) {
        batches.push([start, off]);
        start = off;
      }
      off += len;
    }
    batches.push([start, off]);
  }
  const views = batches.map(([s, e]) => new EventView(buf.slice(s, e)));
  const ruleset = loadDefaultSyscallRules().ruleset;
  const tracker = new StateTracker();
  tracker.seed();
  let events = 0;
  let alerts = 0;
  const onMatch = (): void => {
    alerts++;
  };
  const handler = batchHandler(tracker, (e) => {
    events++;
    ruleset.match(e, 'first', onMatch);
  });
  const pass = (): void => {
    for (let i = 0; i < views.length; i++) handler(views[i], batches[i][1] - batches[i][0]);
  };
  pass(); // warm-up
  const perPass = events;
  const alertsPerPass = alerts;
  // per CPU second of this process: other work on a shared machine steals wall time, not CPU time
  const rates: number[] = [];
  for (let p = 0; p < PASSES; p++) {
    const before = events;
    const cpu0 = process.cpuUsage();
    pass();
    const cpu = process.cpuUsage(cpu0);
    rates.push((events - before) / ((cpu.user + cpu.system) / 1e6));
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  console.log(`replay: ${perPass} events per pass (${alertsPerPass} alerts), ${PASSES} passes; events per CPU second: median ${fmt(median)}, best ${fmt(rates[rates.length - 1])}, worst ${fmt(rates[0])}; load ${os.loadavg()[0].toFixed(2)}`);
  console.log(JSON.stringify({ bench: 'syscallReplay', events: perPass, alerts: alertsPerPass, medianEventsPerCpuSec: Math.round(median), bestEventsPerCpuSec: Math.round(rates[rates.length - 1]) }));
}

async function main(): Promise<void> {
  const what = process.argv[2] ?? 'both';
  if (what !== 'record' && what !== 'replay' && what !== 'both') throw new Error(`expected record, replay or nothing, got '${what}'`);
  if (what !== 'replay') await record();
  if (what !== 'record') replay();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
