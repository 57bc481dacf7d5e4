// Captures written by libs-based tools over the years (fixtures/README.md):
// Vigil must read each event of the types it decodes as sysdig does.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { replayCapture } from '../../../../src/sources/syscall/scap/replay';
import { EVENT_TYPE_NAMES } from '../../../../src/sources/syscall/eventTable';
import { ARGS_FORMAT, compareArgs, FD_NAMED_OTHERWISE, PID_NAMED_OTHERWISE } from './argsCompare';
import { haveSysdig, normalize, sysdigLines, vigilLines } from './sysdig';

const FIX = path.join(__dirname, 'fixtures');
const captures = fs.readdirSync(FIX).filter((f) => f.endsWith('.scap')).sort();
const sysdig = haveSysdig();
if (!sysdig) console.error('realCaptures: SKIPPED: sysdig is not installed (scripts/setup-sysdig.sh installs it as root)');

for (const name of captures) {
  test(`${name}: every event Vigil decodes agrees with sysdig -r`, { skip: !sysdig && 'sysdig is not installed' }, async () => {
    const file = path.join(FIX, name);
    const [v, s] = await Promise.all([vigilLines(file), sysdigLines(file)]);
    assert.equal(v.code, 0, v.stderr);
    assert.equal(v.lines.length, s.lines.length, `event count: vigil ${v.lines.length}, sysdig ${s.lines.length}`);
    for (let i = 0; i < v.lines.length; i++) assert.equal(normalize(v.lines[i]), normalize(s.lines[i]), `event ${i + 1} of ${name}`);
  });
}

test('%evt.args of every decoded event of the real captures reads as sysdig reads it, but for the named 0.29 differences', { skip: !sysdig && 'sysdig is not installed' }, async (t) => {
  let params = 0;
  for (const name of captures) {
    const file = path.join(FIX, name);
    const [v, s] = await Promise.all([vigilLines(file, path.join(FIX, 'every_event_args.yaml')), sysdigLines(file, [], ARGS_FORMAT)]);
    assert.equal(v.code, 0, v.stderr);
    const r = compareArgs(v.lines, s.lines, EVENT_TYPE_NAMES, new Set());
    assert.equal(r.events, s.lines.length, `${name}: every event sysdig prints is compared`);
    assert.deepEqual(r.diffs, [], name);
    assert.equal(r.allowed.get(FD_NAMED_OTHERWISE) ?? 0, 0, `${name}: fds named otherwise`);
    assert.equal(r.allowed.get(PID_NAMED_OTHERWISE) ?? 0, 0, `${name}: threads named otherwise`);
    params += r.params;
    t.diagnostic(`${name}: ${r.events} events, ${r.same} of ${r.params} parameters the same; allowed: ${[...r.allowed].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}`);
  }
  assert.ok(params >= 50, `${params} parameters compared`);
});

test('the real captures hold the block kinds and versions they are kept for, and events Vigil decodes', async () => {
  const kinds = new Set<string>();
  let events = 0;
  for (const name of captures) {
    const stats = await replayCapture(path.join(FIX, name), { allEvents: true, onEvent: () => {} });
    assert.equal(stats.error, undefined, `${name}: ${stats.error?.message}`);
    for (const k of stats.blocks.stateBlocks.keys()) kinds.add(k);
    for (const k of stats.blocks.eventBlockTypes.keys()) kinds.add(k);
    events += stats.events;
  }
  for (const k of ['process list v6', 'process list v7', 'process list v8', 'process list v9', 'fd list v1', 'fd list v2', 'user list v1', 'user list v2',
    'interface list v1', 'interface list v2', 'machine info', 'EV_BLOCK_TYPE', 'EV_BLOCK_TYPE_V2']) assert.ok(kinds.has(k), `no ${k} among ${[...kinds].join(', ')}`);
  assert.ok(events >= 29, `${events} events of decoded types`);
});
