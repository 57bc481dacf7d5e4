// npm run bench:rulesMemory -- what a big k8s_audit rules file costs the
// agent: peak resident memory (VmHWM) and the time until the rules are built
// everywhere they are built (the main thread, each audit evaluation worker),
// for webserver.threadiness -1 (no worker), 2 and 0 (one per CPU, at most 4).
// The file: BENCH_RULES rules (100000), each its own user and resource, over
// a few shared macros and lists, as a generated policy would be. The agent
// runs with the syscall source off; "built" is when it says its webserver
// listens (rules built on the main thread) and, with workers, when it says
// every worker built them; then an audit event is POSTed and must alert.
// Knobs: BENCH_RULES, BENCH_THREADINESS (a comma list, default -1,2,0).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { positiveKnob } from './envKnob';
import { agentReady, procStatusBytes } from './agentProcess';

const ROOT = path.resolve(__dirname, '..');
const RULES = Math.round(positiveKnob('BENCH_RULES', 100_000));
const THREADINESS = (process.env.BENCH_THREADINESS ?? '-1,2,0').split(',').map(Number);

function rulesFile(n: number): string {
  const parts: string[] = [
    '- list: gen_system_namespaces\n  items: [kube-system, kube-public, kube-node-lease]\n',
    '- macro: gen_write\n  condition: ka.verb in (create, update, patch)\n',
    '- macro: gen_outside_system\n  condition: not ka.target.namespace in (gen_system_namespaces)\n',
  ];
  const resources = ['pods', 'secrets', 'configmaps', 'deployments', 'services'];
  for (let i = 0; i < n; i++) {
    parts.push(
      `- rule: Generated ${i}\n  desc: user-${i} writes ${resources[i % 5]}\n` +
        `  condition: gen_write and gen_outside_system and ka.target.resource=${resources[i % 5]} and ka.user.name="user-${i}"\n` +
        `  output: gen ${i} (user=%ka.user.name verb=%ka.verb target=%ka.target.name ns=%ka.target.namespace)\n` +
        '  priority: WARNING\n  source: k8s_audit\n  tags: [gen]\n',
    );
  }
  return parts.join('\n');
}

function post(port: number): Promise<number> {
  const body = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Request', auditID: 'x', stage: 'ResponseComplete', verb: 'create', user: { username: 'user-7' }, objectRef: { resource: 'configmaps', namespace: 'default', name: 'c' }, responseStatus: { code: 201 } });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Run {
  threadiness: number;
  builtS: number;
  hwmMiB: number;
  rssMiB: number;
  alerted: boolean;
}

async function run(file: string, threadiness: number): Promise<Run> {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), '-r', file, '--disable-source', 'syscall', '-o', 'webserver.listen_address=127.0.0.1', '-o', 'webserver.listen_port=0', '-o', `webserver.threadiness=${threadiness}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const port = await agentReady(child, () => err);
    const builtS = Number(process.hrtime.bigint() - t0) / 1e9;
    const code = await post(port);
    if (code !== 200) throw new Error(`POST answered ${code}`);
    await new Promise((r) => setTimeout(r, 300));
    return { threadiness, builtS, hwmMiB: procStatusBytes(child.pid!, 'VmHWM') / 1048576, rssMiB: procStatusBytes(child.pid!, 'VmRSS') / 1048576, alerted: out.includes('gen 7 ') };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rules-mem-'));
  const file = path.join(dir, 'generated_k8s_rules.yaml');
  fs.writeFileSync(file, rulesFile(RULES));
  console.log(`rulesMemory: ${RULES} k8s_audit rules, ${(fs.statSync(file).size / 1048576).toFixed(1)} MiB; ${os.availableParallelism()} CPUs; load ${os.loadavg()[0].toFixed(2)}`);
  try {
    for (const t of THREADINESS) {
      const r = await run(file, t);
      console.log(`threadiness ${String(t).padStart(2)}: built in ${r.builtS.toFixed(1)} s, peak RSS (VmHWM) ${r.hwmMiB.toFixed(0)} MiB, RSS after ${r.rssMiB.toFixed(0)} MiB, test event alerted: ${r.alerted}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
