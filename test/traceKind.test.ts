import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { traceKind } from '../src/traceKind';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tracekind-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

function kindOf(name: string, content: string | Buffer): ReturnType<typeof traceKind> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return traceKind(file);
}

test('JSON objects and arrays are audit traces, after a BOM and blank space too', () => {
  assert.equal(kindOf('event.json', '{"kind":"Event"'), 'k8s_audit');
  assert.equal(kindOf('list.json', '\uFEFF\n  [\n {'), 'k8s_audit');
  // an empty file is an audit trace with no events: `vigil -e` reads nothing and says so
  assert.equal(kindOf('empty.json', ''), 'k8s_audit');
});

test('other content is not an audit trace, and says why', () => {
  const yaml = kindOf('rules.yaml', '- rule: x');
  assert.ok(typeof yaml === 'object' && /not a known trace format/.test(yaml.error));
  const binary = kindOf('bytes.bin', '\x00\x01scap');
  assert.ok(typeof binary === 'object' && /not a known trace format/.test(binary.error));
  const missing = traceKind(path.join(dir, 'missing.json'));
  assert.ok(typeof missing === 'object' && /cannot read trace file/.test(missing.error));
});

test('JSON Lines whose first line is garbage are still an audit trace (the reader rejects that line alone)', () => {
  assert.equal(kindOf('bad-first.jsonl', 'garbage line\n{"kind":"Event"}\n'), 'k8s_audit');
  assert.equal(kindOf('bad-first-crlf.jsonl', 'garbage\r\n  [{"kind":"Event"}]\r\n'), 'k8s_audit');
  const yaml = kindOf('rules2.yaml', '- rule: x\n  desc: y\n');
  assert.ok(typeof yaml === 'object' && /not a known trace format/.test(yaml.error));
});
