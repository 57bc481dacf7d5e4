import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendedOutput, appliesTo } from '../../src/engine/outputAppend';
import { Engine } from '../../src/engine/engine';
import { syscallSource } from '../../src/sources/syscall';

const rule = { name: 'R', source: 'syscall', tags: ['a', 'b'] };

test('an append_output entry matches by source, every one of its tags, and rule name; none of them matches every rule', () => {
  assert.equal(appliesTo({}, rule), true);
  assert.equal(appliesTo({ source: 'syscall', tags: ['b'], rule: 'R' }, rule), true);
  assert.equal(appliesTo({ source: 'k8s_audit' }, rule), false);
  assert.equal(appliesTo({ tags: ['a', 'c'] }, rule), false);
  assert.equal(appliesTo({ rule: 'S' }, rule), false);
});

test('entries add in order: text after a space, suggested fields the output lacks, extra fields (a later key replaces)', () => {
  const r = appendedOutput('x %proc.name  ', rule, syscallSource, [
    { format: 'one=%evt.type' },
    { source: 'k8s_audit', format: 'never' },
    { suggested: true },
    { fields: [{ key: 'k', format: '%proc.pid', raw: false }, { key: 'proc.exe', format: 'proc.exe', raw: true }] },
    { tags: ['a'], format: 'two', fields: [{ key: 'k', format: 'v2', raw: false }] },
  ]);
  assert.equal(r.text, 'x %proc.name one=%evt.type container_id=%container.id container_name=%container.name k8s_ns_name=%k8s.ns.name k8s_pod_name=%k8s.pod.name two');
  assert.deepEqual(r.fields, [{ key: 'k', format: 'v2', raw: false }, { key: 'proc.exe', format: 'proc.exe', raw: true }]);
});

test('static fields are fields of every source, suggested like the source own, and appended text with an unknown field is a load error naming append_output', () => {
  const rules = [{ name: 'r.yaml', content: '- rule: R\n  desc: d\n  condition: evt.type = open and static.env = prod\n  output: "opened"\n  priority: WARNING\n' }];
  const e = new Engine([syscallSource], { staticFields: { env: 'prod' }, appends: [{ suggested: true }] });
  assert.deepEqual(e.loadRulesContent(rules).errors.map((x) => x.message), []);
  assert.match(e.rules[0].outputFormat, /^opened$/);
  const fake = { view: { ts: 0n }, thread: undefined, container: undefined, containers: { get: () => undefined } } as never;
  assert.match(e.rules[0].output.render(fake), / static_env=prod$/);
  assert.equal(e.rules[0].output.fields(fake)['static.env'], 'prod');
  const bad = new Engine([syscallSource], { appends: [{ format: 'x=%proc.nmae' }] });
  const plain = [{ name: 'r.yaml', content: rules[0].content.replace(' and static.env = prod', '') }];
  const res = bad.loadRulesContent(plain);
  assert.equal(res.errors.length, 1);
  assert.match(new Engine([syscallSource]).loadRulesContent(rules).errors[0].message, /unknown field 'static\.env'/);
  assert.match(res.errors[0].message, /^append_output: unknown field 'proc\.nmae' in what it adds to this rule's output \('x=%proc\.nmae'\)/);
});
