// Capture file replay: writes a capture of BENCH_REPLAY_EVENTS events (at
// least 5M by default) from the bench's own generator (bench/scapGenerator.ts)
// with Vigil's scap writer, then reads it back on this one thread:
//   decoded:  blocks, conversion, state tracking, no rules (-A: every event)
//   rules:    the same plus the default syscall rules, as `vigil -e` (no -A)
// and in the same run times `sysdig -r` on the same file with one filter,
// the condition of one default rule written as a sysdig filter. Rates are
// events read per second of wall time and per CPU second of this process.
//
//   npm run bench:replay
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replayCapture } from '../src/sources/syscall/scap/replay';
import { ScapWriter } from '../src/sources/syscall/scap/scapWriter';
import { UserDb } from '../src/sources/syscall/state/userDb';
import { loadDefaultSyscallRules } from './defaultSyscallRules';
import { positiveKnob } from './envKnob';
import { Generator, hostThreads } from './scapGenerator';
import { fmt } from './stats';

const root = path.resolve(__dirname, '..');
const FILE = path.join(root, 'build', 'bench', 'replay.scap');
const EVENTS = Math.round(positiveKnob('BENCH_REPLAY_EVENTS', 5_000_000));
/** "Read sensitive file untrusted", reduced to what a filter over one capture can say: opens of /etc/shadow */
const SYSDIG_FILTER = 'evt.type in (open,openat,openat2) and evt.dir=< and fd.name=/etc/shadow';

async function write(): Promise<number> {
  fs.mkdirSync(path.dirname(FILE), { recursive: true });
  const writer = new ScapWriter(FILE, { gzip: false });
  const { threads, shells } = hostThreads();
  const users = UserDb.empty();
  users.addUser(1000, { name: 'app', home: '/srv/app', shell: '/bin/bash' });
  writer.writeState({ threads, users: users.userEntries(), groups: users.groupEntries() });
  const gen = new Generator(writer);
  const t0 = performance.now();
  gen.fill(EVENTS, shells);
  await writer.close();
  const s = (performance.now() - t0) / 1000;
  console.log(`wrote ${fmt(gen.events)} events, ${fmt(fs.statSync(FILE).size)} bytes, to ${FILE} in ${s.toFixed(1)} s (${fmt(gen.events / s)} events/s)`);
  return gen.events;
}

async function countEvents(): Promise<number> {
  const stats = await replayCapture(FILE, { allEvents: true, onEvent: () => {} });
  const n = stats.events + [...stats.convert.unhandled.values()].reduce((a, b) => a + b, 0);
  console.log(`reusing ${FILE}: ${fmt(n)} events`);
  return n;
}

interface Timed {
  events: number;
  evaluated: number;
  alerts: number;
  wallS: number;
  cpuS: number;
}

async function timedReplay(withRules: boolean): Promise<Timed> {
  const ruleset = withRules ? loadDefaultSyscallRules().ruleset : undefined;
  let alerts = 0;
  let evaluated = 0;
  const onMatch = (): void => {
    alerts++;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const stats = await replayCapture(FILE, {
    allEvents: !withRules,
    onEvent: ruleset
      ? (e) => {
          evaluated++;
          ruleset.match(e, 'first', onMatch);
        }
      : () => {
          evaluated++;
        },
  });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (stats.error) throw stats.error;
  const read = stats.events + [...stats.convert.unhandled.values()].reduce((a, b) => a + b, 0);
  return { events: read, evaluated, alerts, wallS, cpuS: (cpu.user + cpu.system) / 1e6 };
}

/** CPU seconds of this process's waited-for children (cutime + cstime, /proc/self/stat) */
function childrenCpuS(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

function sysdigTime(): { s: number; cpuS: number; matches: number } | undefined {
  try {
    execFileSync('sysdig', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const c0 = childrenCpuS();
  const t0 = performance.now();
  const r = spawnSync('sysdig', ['-r', FILE, SYSDIG_FILTER], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sysdig failed: ${r.stderr}`);
  return { s, cpuS: childrenCpuS() - c0, matches: r.stdout.split('\n').filter((l) => l !== '').length };
}

async function main(): Promise<void> {
  const load0 = os.loadavg()[0];
  // BENCH_REPLAY_REUSE=1 reads the capture an earlier run wrote (the write is the slow part)
  const written = process.env.BENCH_REPLAY_REUSE === '1' && fs.existsSync(FILE) ? await countEvents() : await write();
  const decoded = await timedReplay(false);
  const rules = await timedReplay(true);
  const sysdig = sysdigTime();
  const line = (what: string, t: Timed): string =>
    `${what}: ${fmt(t.events)} events in ${t.wallS.toFixed(2)} s wall, ${t.cpuS.toFixed(2)} s CPU: ${fmt(t.events / t.wallS)} events/s (${fmt(t.events / t.cpuS)} per CPU second)`;
  console.log(line('decoded (no rules, -A)', decoded));
  console.log(`${line('through the default rules', rules)}; ${fmt(rules.evaluated)} evaluated, ${fmt(rules.alerts)} alerts`);
  if (sysdig) {
    console.log(`sysdig -r with one filter ('${SYSDIG_FILTER}'): ${sysdig.s.toFixed(2)} s wall, ${sysdig.cpuS.toFixed(2)} s CPU, ${sysdig.matches} matches: ${fmt(written / sysdig.s)} events/s (${fmt(written / sysdig.cpuS)} per CPU second)`);
    console.log(`vigil with all default rules vs sysdig with one filter: ${(sysdig.s / rules.wallS).toFixed(2)}x wall, ${(sysdig.cpuS / rules.cpuS).toFixed(2)}x CPU (above 1: vigil faster)`);
  } else {
    console.log('sysdig is not installed (scripts/setup-sysdig.sh): no sysdig baseline in this run');
  }
  console.log(`load average ${load0.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end (${os.cpus().length} CPUs)`);
  console.log(JSON.stringify({
    bench: 'replay', events: written, decodedPerS: Math.round(decoded.events / decoded.wallS), rulesPerS: Math.round(rules.events / rules.wallS),
    decodedPerCpuS: Math.round(decoded.events / decoded.cpuS), rulesPerCpuS: Math.round(rules.events / rules.cpuS),
    sysdigS: sysdig ? Number(sysdig.s.toFixed(2)) : null, vigilRulesS: Number(rules.wallS.toFixed(2)), vsSysdig: sysdig ? Number((sysdig.s / rules.wallS).toFixed(2)) : null,
    vsSysdigCpu: sysdig ? Number((sysdig.cpuS / rules.cpuS).toFixed(2)) : null,
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
