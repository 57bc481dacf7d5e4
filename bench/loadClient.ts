// The load generator for the webserver benchmark, run in its own process so
// it does not share the server's thread: autocannon POSTs the bodies in
// `argv[3]` (a JSON array of strings) round-robin to `argv[2]` and prints one
// JSON line of results, with the CPU time this process used, so the bench can
// tell a server-bound run from a client-bound one. `argv[6]`, when given, is
// seconds of the same load first, not counted: a server that has just been
// idle (and had full GCs from the bench) runs slower for a while, and the
// slowdown is not the same for every server.
import * as fs from 'node:fs';

interface Histogram {
  p50: number;
  p99: number;
}
interface Result {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  latency: Histogram;
}
// autocannon ships no type declarations
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<Result>;

async function main(): Promise<void> {
  const [url, bodiesFile, connections, seconds, warmup] = process.argv.slice(2);
  const bodies = JSON.parse(fs.readFileSync(bodiesFile, 'utf8')) as string[];
  const headers = { 'content-type': 'application/json' };
  const load = (duration: number): Promise<Result> =>
    autocannon({
      url,
      method: 'POST',
      connections: Number(connections),
      duration,
      requests: bodies.map((body) => ({ method: 'POST', body, headers })),
    });
  if (Number(warmup) > 0) {
    const w = await load(Number(warmup));
    if (w.non2xx > 0 || w.errors > 0) throw new Error(`warm-up: ${w.non2xx} non-2xx answers, ${w.errors} errors`);
  }
  // the bench starts its server-side counters on this line
  process.stdout.write('measuring\n');
  const cpu0 = process.cpuUsage();
  const result = await load(Number(seconds));
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      seconds: result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    })}\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`loadClient: ${(e as Error).message}\n`);
  process.exit(1);
});
