import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readAuditTrace } from '../../../src/sources/k8s_audit';
import { MAX_TRACE_DOCUMENT_BYTES } from '../../../src/sources/k8s_audit/trace';
import { TRACE_DIR } from './traceEvent';

function read(file: string) {
  const ids: string[] = [];
  const rejects: string[] = [];
  const res = readAuditTrace(file, (e) => ids.push(e.obj.auditID as string), (m) => rejects.push(m));
  return { ...res, ids, rejects };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-trace-'));
function tmpFile(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}
const ev = (id: string) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'get' });

test('JSON Lines, pretty single event, EventList and array are all read', () => {
  assert.deepEqual(read(path.join(TRACE_DIR, 'create_configmap_sensitive_values.json')).events, 6);
  const pretty = read(path.join(TRACE_DIR, 'create_nginx_pod_unprivileged.json'));
  assert.deepEqual([pretty.events, pretty.rejected], [1, 0]);
  const list = read(path.join(TRACE_DIR, 'list_pods_eventlist.json'));
  assert.deepEqual([list.events, list.rejected], [3, 0]);
  const arr = read(path.join(TRACE_DIR, 'mixed_activity_array.json'));
  assert.deepEqual([arr.events, arr.rejected], [4, 0]);
});

test('malformed lines are reported with file and line, skipped and counted', () => {
  const file = path.join(TRACE_DIR, 'malformed_lines.jsonl');
  const r = read(file);
  assert.equal(r.events, 3);
  assert.equal(r.rejected, 3);
  assert.match(r.rejects[0], new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: malformed JSON: `));
  assert.match(r.rejects[1], /:4: not an audit event: kind is "Pod", not "Event"$/);
  assert.match(r.rejects[2], /:8: malformed JSON: /);
});

test('blank lines, CRLF and a BOM are fine; a last line without newline is read', () => {
  const text = '\uFEFF' + JSON.stringify(ev('a')) + '\r\n\r\n  \n' + JSON.stringify(ev('b')) + '\r\n' + JSON.stringify(ev('c'));
  const r = read(tmpFile('crlf.jsonl', text));
  assert.deepEqual(r.ids, ['a', 'b', 'c']);
  assert.equal(r.rejected, 0);
});

test('a JSON Lines file whose first line is broken still reads the rest', () => {
  const text = '{"kind":"Event", broken\n' + JSON.stringify(ev('a')) + '\n' + JSON.stringify(ev('b')) + '\n';
  const r = read(tmpFile('firstbroken.jsonl', text));
  assert.deepEqual(r.ids, ['a', 'b']);
  assert.equal(r.rejected, 1);
  assert.match(r.rejects[0], /firstbroken\.jsonl:1: malformed JSON/);
});

test('a broken multi-line document is one rejection at the line JSON.parse stopped', () => {
  const text = '[\n  {"kind": "Event", "auditID": "a"},\n  {"kind": "Event" "auditID": "b"}\n]\n';
  const r = read(tmpFile('brokenarray.json', text));
  assert.equal(r.events, 0);
  assert.equal(r.rejected, 1);
  assert.match(r.rejects[0], /brokenarray\.json:3: malformed JSON/);
});

test('one bad item in a list is rejected alone; a line may hold an EventList', () => {
  const text = JSON.stringify({ kind: 'EventList', items: [ev('a'), { kind: 'Pod' }, ev('b')] }) + '\n' + JSON.stringify(ev('c')) + '\n';
  const r = read(tmpFile('lists.jsonl', text));
  assert.deepEqual(r.ids, ['a', 'b', 'c']);
  assert.deepEqual(r.rejects.map((m) => m.replace(/^.*lists\.jsonl/, '')), [':1: item 1: not an audit event: kind is "Pod", not "Event"']);
});

test('a document that is no event shape is rejected', () => {
  const r = read(tmpFile('num.json', '42\n'));
  assert.deepEqual([r.events, r.rejected], [0, 1]);
  assert.match(r.rejects[0], /num\.json:1: expected an audit Event/);
  const empty = read(tmpFile('empty.json', '\n\n'));
  assert.deepEqual([empty.events, empty.rejected], [0, 0]);
});

test('large JSON Lines files are read across chunk boundaries', () => {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(JSON.stringify({ ...ev(`id-${i}`), pad: 'é'.repeat(500 + (i % 7)) }));
  const r = read(tmpFile('big.jsonl', lines.join('\n') + '\n'));
  assert.equal(r.events, 3000);
  assert.equal(r.rejected, 0);
  assert.equal(r.ids[2999], 'id-2999');
});


test('one line of many MiB, with multi-byte characters across chunk ends, is read whole', () => {
  const items = Array.from({ length: 2000 }, (_, i) => ({ ...ev(`long-${i}`), pad: '日本é'.repeat(333) }));
  const r = read(tmpFile('longline.jsonl', `${JSON.stringify({ kind: 'EventList', items })}\n${JSON.stringify(ev('after'))}\n`));
  assert.deepEqual([r.events, r.rejected], [2001, 0]);
  assert.equal(r.ids[1999], 'long-1999');
  assert.equal(r.ids[2000], 'after');
});

/** A file whose first line is `head` followed by `bytes` spaces and `tail`, written in pieces. */
function hugeFile(name: string, head: string, bytes: number, tail: string): string {
  const p = path.join(tmp, name);
  const fd = fs.openSync(p, 'w');
  try {
    fs.writeSync(fd, head);
    const block = Buffer.alloc(1 << 20, 0x20);
    for (let left = bytes; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(left, block.length));
    fs.writeSync(fd, tail);
  } finally {
    fs.closeSync(fd);
  }
  return p;
}

test('a line over the document limit is rejected with the limit and skipped, and the lines after it are read', () => {
  const file = hugeFile('overlong.jsonl', '{"kind":"EventList","items":[],"pad":"', MAX_TRACE_DOCUMENT_BYTES, `"}\n${JSON.stringify(ev('next'))}\n`);
  try {
    const r = read(file);
    assert.deepEqual(r.rejects, [`${file}:1: line longer than the ${MAX_TRACE_DOCUMENT_BYTES}-byte limit for one JSON document; skipped`]);
    assert.deepEqual(r.ids, ['next']);
  } finally {
    fs.rmSync(file);
  }
});

test('a multi-line document over the limit is one clear rejection, not a crash', () => {
  const file = hugeFile('overbig.json', '{\n "kind": "EventList",\n "items": [],\n "pad": "', MAX_TRACE_DOCUMENT_BYTES, '"\n}\n');
  try {
    const r = read(file);
    const size = fs.statSync(file).size;
    assert.deepEqual(r.rejects, [`${file}:1: a single JSON document of ${size} bytes is over the ${MAX_TRACE_DOCUMENT_BYTES}-byte limit; not read`]);
    assert.equal(r.events, 0);
  } finally {
    fs.rmSync(file);
  }
});
