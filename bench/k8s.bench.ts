// npm run bench:k8s -- a JSON Lines trace of 200k realistic, varied audit
// events (bench/k8sAuditEvents.ts), timed (a) through JSON.parse alone and
// (b) through the whole path: JSON.parse, the k8s_audit event wrapper, every
// default rule (rule_matching=all), and JSON formatting of each alert into a
// discarded sink. Prints both rates and their ratio; the target is <= 1.5x.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent } from '../src/agent';
import { builtinDefaults } from '../src/config';
import { Engine } from '../src/engine/engine';
import { ChannelStats } from '../src/outputs/channels/channel';
import { Outputs } from '../src/outputs/outputs';
import { k8sAuditSource, toAuditEvent, type K8sAuditEvent } from '../src/sources/k8s_audit';
import { makeAuditEvents } from './k8sAuditEvents';

const COUNT = Number(process.env.K8S_BENCH_EVENTS ?? 200_000);
const ROUNDS = 7;
const TARGET = 1.5;

const tracePath = path.join(os.tmpdir(), `vigil-k8s-bench-${process.pid}.jsonl`);
fs.writeFileSync(tracePath, makeAuditEvents(COUNT).join('\n') + '\n');
const lines = fs.readFileSync(tracePath, 'utf8').split('\n').filter((l) => l.length > 0);
fs.unlinkSync(tracePath);
const bytes = lines.reduce((n, l) => n + l.length, 0);

const engine = new Engine([k8sAuditSource]);
const load = engine.loadRulesFiles([path.resolve(__dirname, '../rules/k8s_audit_rules.yaml')]);
if (load.errors.length > 0) throw new Error(load.errors.map((e) => e.format()).join('\n'));
// The agent's own path: evaluator, alert counts, JSON formatting; the formatted
// lines go to a channel that only measures them instead of to stdout.
const outputs = new Outputs({ ...builtinDefaults(), json_output: true, stdout_output: { enabled: false }, syslog_output: { enabled: false } });
let sink = 0;
outputs.addChannel({
  name: 'measure',
  stats: new ChannelStats(),
  queued: 0,
  send: (r) => (sink += r.line.length),
  flush: () => undefined,
  reopen: () => undefined,
  close: async () => undefined,
});
const agent = new Agent(engine, outputs, 'all');
const evaluator = agent.evaluatorFor<K8sAuditEvent>('k8s_audit');
let alerts = 0;

function parseOnly(): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const o = JSON.parse(lines[i]);
    if (o.stage === undefined) sink++;
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function wholePath(): number {
  const before = agent.counts.total;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) evaluator.evaluate(toAuditEvent(JSON.parse(lines[i])));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  alerts = agent.counts.total - before;
  return secs;
}

// Warm up both paths, then run them back to back in rounds. The ratio is the
// median of the rounds' ratios, so a burst of load from other processes moves
// one round, not the result; the rates shown are each path's best round.
parseOnly();
wholePath();
let parseBest = Infinity;
let wholeBest = Infinity;
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const p = parseOnly();
  const w = wholePath();
  parseBest = Math.min(parseBest, p);
  wholeBest = Math.min(wholeBest, w);
  ratios.push(w / p);
}
ratios.sort((a, b) => a - b);

const rate = (s: number) => Math.round(lines.length / s);
const ratio = ratios[ROUNDS >> 1];
console.log(`events: ${lines.length} (${(bytes / lines.length).toFixed(0)} bytes average), rules: ${engine.rules.filter((r) => r.enabled).length}, alerts per pass: ${alerts}`);
console.log(`(a) JSON.parse alone:  ${rate(parseBest).toLocaleString('en-US')} events/s`);
console.log(`(b) whole path:        ${rate(wholeBest).toLocaleString('en-US')} events/s`);
console.log(`rounds' ratios:        ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
console.log(`ratio (b)/(a) time:    ${ratio.toFixed(2)}x median (target <= ${TARGET}x) ${ratio <= TARGET ? 'OK' : 'OVER TARGET'}`);
if (sink < 0) console.log('');
console.log(JSON.stringify({ bench: 'k8s', events: lines.length, parse_eps: rate(parseBest), whole_eps: rate(wholeBest), ratio: Number(ratio.toFixed(3)), alerts, target: TARGET }));
