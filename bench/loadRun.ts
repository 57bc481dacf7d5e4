// Runs the load benches' HTTP client in its own process and hands back what it
// measured. Two clients POST the same bodies the same way:
// - wrk (Debian's, in C; bench/wrkPost.lua), the default when installed: it
//   spends a few µs of CPU a request, so on this 2-core machine the server
//   under test gets nearly all of the other core;
// - autocannon (bench/loadClient.ts, in Node), about 100 µs of CPU a request:
//   at 10-event batches it took half a core from the servers it loaded.
// LOAD_CLIENT=autocannon|wrk chooses; a bench says which one it used.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';

/** What the load client measured over its counted seconds. */
export interface Load {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU time the load client used */
  cpuSeconds: number;
}

export type LoadClient = 'wrk' | 'autocannon';

function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version prints its usage and exits 1: that still means it is there
    return (err as { status?: number }).status === 1;
  }
}

/** The client to use: LOAD_CLIENT if set, else wrk when it is installed (scripts/setup-bench.sh installs it), else autocannon. */
export function loadClient(): LoadClient {
  const want = process.env.LOAD_CLIENT;
  if (want === 'wrk' || want === 'autocannon') {
    if (want === 'wrk' && !wrkInstalled()) throw new Error('LOAD_CLIENT=wrk but wrk is not installed (scripts/setup-bench.sh installs it as root)');
    return want;
  }
  if (want !== undefined && want !== '') throw new Error(`LOAD_CLIENT must be wrk or autocannon, got '${want}'`);
  return wrkInstalled() ? 'wrk' : 'autocannon';
}

/**
 * POSTs the bodies in `bodiesFile` (a JSON array of strings) to `url` for
 * `seconds` counted, after `warmup` seconds of the same load not counted;
 * `onMeasuring` runs when the counted part starts (after the client's own
 * start-up and the warm-up).
 */
export function runLoad(url: string, bodiesFile: string, connections: number, seconds: number, warmup: number, onMeasuring: () => void, client: LoadClient = loadClient()): Promise<Load> {
  const child =
    client === 'wrk'
      ? spawnWrk(url, bodiesFile, connections, seconds, warmup)
      : spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'loadClient.ts'), url, bodiesFile, String(connections), String(seconds), String(warmup)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  return new Promise((resolve, reject) => {
    let out = '';
    let measuring = false;
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!measuring && out.includes('measuring\n')) {
        measuring = true;
        onMeasuring();
      }
    });
    // 'close', not 'exit': the last lines of stdout may still be unread at exit
    child.on('close', (code) => {
      if (code !== 0 || !measuring) return reject(new Error(`load client (${client}) exited ${code}`));
      try {
        resolve(client === 'wrk' ? wrkResult(out, warmup) : (JSON.parse(out.trim().split('\n').pop()!) as Load));
      } catch (err) {
        reject(new Error(`load client (${client}): unreadable result: ${(err as Error).message}\n${out}`));
      }
    });
  });
}

/** wrk's warm-up run, then the counted run, in one shell whose `times` gives the CPU its children used. */
function spawnWrk(url: string, bodiesFile: string, connections: number, seconds: number, warmup: number) {
  const lines = `${bodiesFile}.lines`;
  if (!fs.existsSync(lines)) {
    const bodies = JSON.parse(fs.readFileSync(bodiesFile, 'utf8')) as string[];
    // a JSON text from JSON.stringify has no raw line break, so one body a line is exact
    if (bodies.some((b) => b.includes('\n'))) throw new Error(`${bodiesFile}: a body has a line break; wrkPost.lua reads one body a line`);
    fs.writeFileSync(lines, `${bodies.join('\n')}\n`);
  }
  for (const [what, secs] of [['seconds', seconds], ['warm-up', warmup]] as const) {
    if (!Number.isInteger(secs)) throw new Error(`wrk runs for whole seconds: the ${what} is ${secs} (LOAD_CLIENT=autocannon takes fractions)`);
  }
  const wrk = (secs: number): string =>
    `wrk -t1 -c${connections} -d${secs}s --timeout 10s -s ${JSON.stringify(path.join(__dirname, 'wrkPost.lua'))} ${JSON.stringify(url)} -- ${JSON.stringify(lines)}`;
  // the warm-up's own result line comes before 'measuring' and is checked too
  const warm = warmup > 0 ? `${wrk(warmup)} || exit 1; ` : '';
  // `times` prints the shell's CPU times, then its children's: the difference around the counted run is wrk's
  const script = `${warm}times; echo measuring; ${wrk(seconds)}; rc=$?; times; exit $rc`;
  return spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function wrkResult(out: string, warmup: number): Load {
  const json = out.split('\n').filter((l) => l.startsWith('{'));
  if (json.length !== (warmup > 0 ? 2 : 1)) throw new Error('expected one JSON line from wrkPost.lua per run');
  if (warmup > 0) {
    const w = JSON.parse(json[0]) as Omit<Load, 'cpuSeconds'>;
    if (w.non2xx > 0 || w.errors > 0) throw new Error(`warm-up: ${w.non2xx} non-2xx answers, ${w.errors} errors`);
  }
  const r = JSON.parse(json.at(-1)!) as Omit<Load, 'cpuSeconds'>;
  // children's line of each `times`: "0m1.230000s 0m0.450000s"
  const children = out.split('\n').filter((l) => /^\d+m[\d.]+s \d+m[\d.]+s$/.test(l)).filter((_, k) => k % 2 === 1);
  if (children.length !== 2) throw new Error('expected two `times` reports');
  const secs = (l: string): number => l.split(' ').reduce((a, t) => { const m = /^(\d+)m([\d.]+)s$/.exec(t)!; return a + Number(m[1]) * 60 + Number(m[2]); }, 0);
  return { ...r, cpuSeconds: secs(children[1]) - secs(children[0]) };
}
