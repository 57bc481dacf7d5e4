// Seed-era list fields: each field that was a list in Falco 0.13 or 0.30
// (userspace/engine/json_evt.cpp at those tags) carries its era's meaning,
// and the 0.13 renderings give the text 0.13 compared, field by field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { k8sAuditSource, toAuditEvent } from '../../../../src/sources/k8s_audit';
import { LEGACY_LIST_FIELDS, nlohmannDump } from '../../../../src/sources/k8s_audit/fields/legacyText';

const ROLE = {
  verb: 'create',
  user: { username: 'alice', groups: ['system:masters', 'system:authenticated'] },
  requestObject: {
    rules: [
      { verbs: ['get', 'list'], resources: ['pods/exec'], apiGroups: [''] },
      { verbs: ['*'], resources: ['pods', 'services'], apiGroups: ['', 'apps'], nonResourceURLs: ['/healthz'] },
    ],
    subjects: [{ name: 'ci', kind: 'ServiceAccount', namespace: 'ci' }],
    spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443 }] },
  },
};

function legacyText(name: string, obj: Record<string, unknown>, arg?: string): unknown {
  const def = k8sAuditSource.fields.find((f) => f.name === name)!;
  assert.equal(def.legacy?.era, '0.13', name);
  if (def.legacy?.era !== '0.13') throw new Error('unreachable');
  return def.legacy.text(arg)(toAuditEvent(obj));
}

test('every 0.13 and 0.30 list field is a list field of the source with its era', () => {
  const era013 = ['ka.user.groups', 'ka.req.binding.subjects', 'ka.req.role.rules', 'ka.req.role.rules.apiGroups',
    'ka.req.role.rules.nonResourceURLs', 'ka.req.role.rules.verbs', 'ka.req.role.rules.resources', 'ka.req.service.ports'];
  assert.equal(LEGACY_LIST_FIELDS.length, era013.length + 16);
  for (const name of LEGACY_LIST_FIELDS) {
    const def = k8sAuditSource.fields.find((f) => f.name === name);
    assert.ok(def, name);
    assert.equal(def.isList, true, name);
    assert.equal(def.legacy?.era, era013.includes(name) ? '0.13' : '0.30', name);
  }
  // list fields that came after 0.30 have no seed-era meaning
  for (const name of ['ka.req.pod.containers.name', 'ka.req.binding.subjects.user_names', 'ka.sourceips']) {
    assert.equal(k8sAuditSource.fields.find((f) => f.name === name)?.legacy, undefined, name);
  }
});

test('0.13 renderings: JSON text of the value, role rule attributes joined by one space', () => {
  const cases: [string, string | undefined, unknown][] = [
    ['ka.user.groups', undefined, '["system:masters","system:authenticated"]'],
    ['ka.req.binding.subjects', undefined, '[{"kind":"ServiceAccount","name":"ci","namespace":"ci"}]'],
    ['ka.req.role.rules', undefined,
      '[{"apiGroups":[""],"resources":["pods/exec"],"verbs":["get","list"]},{"apiGroups":["","apps"],"nonResourceURLs":["/healthz"],"resources":["pods","services"],"verbs":["*"]}]'],
    ['ka.req.role.rules.resources', undefined, '["pods/exec"] ["pods","services"]'],
    ['ka.req.role.rules.verbs', undefined, '["get","list"] ["*"]'],
    ['ka.req.role.rules.verbs', '1', '["*"]'],
    ['ka.req.role.rules.verbs', '7', 'N/A'],
    ['ka.req.role.rules.apiGroups', undefined, '[""] ["","apps"]'],
    ['ka.req.role.rules.nonResourceURLs', undefined, 'N/A ["/healthz"]'],
    ['ka.req.service.ports', undefined, '[{"port":80,"protocol":"TCP"},{"nodePort":30443,"port":443}]'],
    ['ka.req.service.ports', '1', '{"nodePort":30443,"port":443}'],
    ['ka.req.service.ports', '2', undefined],
  ];
  for (const [name, arg, want] of cases) assert.equal(legacyText(name, ROLE, arg), want, `${name}${arg === undefined ? '' : `[${arg}]`}`);
  // absent: no value, which the engine compares as "<NA>"
  for (const name of ['ka.user.groups', 'ka.req.role.rules.verbs', 'ka.req.service.ports']) assert.equal(legacyText(name, { verb: 'get' }), undefined, name);
  assert.equal(legacyText('ka.req.role.rules.verbs', { requestObject: { rules: [] } }), '');
});

test('nlohmannDump: compact, keys in byte order, strings escaped as JSON', () => {
  assert.equal(nlohmannDump({ b: 1, B: [true, null, 'x"y'], a: { d: 2, c: 'é\n' } }), '{"B":[true,null,"x\\"y"],"a":{"c":"é\\n","d":2},"b":1}');
  assert.equal(nlohmannDump([]), '[]');
  assert.equal(nlohmannDump({}), '{}');
});
