// Property-based tests of the audit trace reader: whatever the file holds,
// every event read is a valid audit event, every rejection names a line of
// the file, and a JSON Lines file loses only its broken lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { readAuditTrace } from '../../../src/sources/k8s_audit';
import { auditEventProblem } from '../../../src/sources/k8s_audit/payload';
import { fuzzParams } from '../../fuzzRuns';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-trace-fuzz-'));
const file = path.join(tmp, 't.jsonl');
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function read(text: string) {
  fs.writeFileSync(file, text);
  const ids: unknown[] = [];
  const rejects: string[] = [];
  const res = readAuditTrace(file, (e) => ids.push(e.obj.auditID), (m) => rejects.push(m));
  return { ...res, ids, rejects };
}

const event = fc.record({ kind: fc.constant('Event'), apiVersion: fc.constant('audit.k8s.io/v1'), auditID: fc.uuid(), verb: fc.constantFrom('get', 'create'), note: fc.string({ unit: 'grapheme', maxLength: 30 }) });
const garbage = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => !s.includes('\n')),
  fc.constantFrom('{', '[', '{"kind":"Event"', 'null', '42', '"x"', '{"kind":"Pod","verb":"get"}'),
);

test('fuzz: JSON Lines with broken lines mixed in (the first included) read every good event in order and reject only bad lines, by number', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof({ weight: 3, arbitrary: event.map((e) => ({ good: e })) }, { weight: 1, arbitrary: garbage.map((g) => ({ bad: g })) }), { minLength: 1, maxLength: 15 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      (lines, eol, bom) => {
        // a JSON Lines file: at least two JSON lines, so a file of one broken first line is not a broken document
        const good = lines.flatMap((l) => ('good' in l ? [l.good] : []));
        fc.pre(good.length >= 2);
        const text = (bom ? '\uFEFF' : '') + lines.map((l) => ('good' in l ? JSON.stringify(l.good) : l.bad)).join(eol) + eol;
        const r = read(text);
        assert.deepEqual(r.ids, good.map((g) => g.auditID));
        const n = lines.length;
        for (const m of r.rejects) {
          const line = Number(/^.*?:(\d+): /.exec(m)![1]);
          assert.ok(line >= 1 && line <= n, m);
          assert.ok(!('good' in lines[line - 1]), `good line ${line} rejected: ${m}`);
        }
        assert.equal(r.events, good.length);
      },
    ),
    fuzzParams(1000),
  );
});

test('fuzz: arbitrary file content never throws; events read are audit events; rejections name a line of the file', () => {
  const content = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.array(fc.oneof(event.map((e) => JSON.stringify(e, null, 1)), garbage, fc.json()), { maxLength: 6 }).map((parts) => parts.join('\n')),
  );
  fc.assert(
    fc.property(content, (text) => {
      fs.writeFileSync(file, text);
      const events: Record<string, unknown>[] = [];
      const rejects: string[] = [];
      const res = readAuditTrace(file, (e) => events.push(e.obj), (m) => rejects.push(m));
      assert.equal(res.events, events.length);
      assert.equal(res.rejected, rejects.length);
      for (const e of events) assert.equal(auditEventProblem(e), undefined);
      const n = text.split('\n').length;
      for (const m of rejects) {
        const line = Number(/^.*?:(\d+): /.exec(m)![1]);
        assert.ok(line >= 1 && line <= n, m);
      }
    }),
    fuzzParams(1000),
  );
});
