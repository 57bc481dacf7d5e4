import assert from 'node:assert/strict';
import { test } from 'node:test';
import { k8sAuditSource, toAuditEvent } from '../../../src/sources/k8s_audit';

test('time is stageTimestamp, else requestReceivedTimestamp, else arrival', () => {
  const both = toAuditEvent({ stageTimestamp: '2024-05-14T09:10:11.000000002Z', requestReceivedTimestamp: '2024-05-14T09:10:10Z' }, 5n);
  assert.equal(k8sAuditSource.time(both), 1715677811000000002n);
  const received = toAuditEvent({ requestReceivedTimestamp: '2024-05-14T09:10:10Z' }, 5n);
  assert.equal(k8sAuditSource.time(received), 1715677810000000000n);
  const bad = toAuditEvent({ stageTimestamp: 'not a time' }, 5n);
  assert.equal(k8sAuditSource.time(bad), 5n);
  const before = BigInt(Date.now()) * 1_000_000n;
  const none = toAuditEvent({ auditID: 'x' });
  const t = k8sAuditSource.time(none);
  assert.ok(t >= before && t <= BigInt(Date.now()) * 1_000_000n, `arrival time ${t}`);
});

test('lazy values are computed once and reused', () => {
  const obj = { objectRef: { resource: 'pods' }, requestObject: { kind: 'Pod', spec: { containers: [] } }, requestURI: '/x?a=1' };
  const e = toAuditEvent(obj);
  const spec = e.podSpec;
  assert.equal(spec, obj.requestObject.spec);
  assert.equal(e.podSpec, spec);
  assert.equal(e.queryParams, e.queryParams);
  assert.equal(e.queryParams?.get('a'), '1');
  assert.equal(e.objJson, e.objJson);
  assert.deepEqual(JSON.parse(e.objJson), obj);
});

test('source shape: name, objectRef.resource as the event type, unique field names', () => {
  assert.equal(k8sAuditSource.name, 'k8s_audit');
  assert.equal(k8sAuditSource.eventTypeField, 'ka.target.resource');
  assert.equal(k8sAuditSource.eventType!(toAuditEvent({ objectRef: { resource: 'pods' } })), 'pods');
  assert.equal(k8sAuditSource.eventType!(toAuditEvent({ verb: 'get' })), undefined);
  const names = k8sAuditSource.fields.map((f) => f.name);
  assert.equal(new Set(names).size, names.length);
  for (const f of k8sAuditSource.fields) assert.ok(f.desc.length > 10, `${f.name} has a description`);
});

test('every field the issue names exists', () => {
  const names = new Set(k8sAuditSource.fields.map((f) => f.name));
  const wanted = [
    'jevt.time', 'jevt.rawtime', 'jevt.value', 'jevt.obj', 'json.value', 'json.obj', 'json.rawtime',
    'ka.auditid', 'ka.stage', 'ka.auth.decision', 'ka.auth.reason', 'ka.user.name', 'ka.user.groups', 'ka.impuser.name',
    'ka.verb', 'ka.uri', 'ka.uri.param', 'ka.useragent', 'ka.sourceips', 'ka.target.name', 'ka.target.namespace',
    'ka.target.resource', 'ka.target.subresource', 'ka.target.pod.name', 'ka.req.binding.subjects',
    'ka.req.binding.subject.has_name', 'ka.req.binding.subjects.user_names', 'ka.req.binding.subjects.serviceaccount_names',
    'ka.req.binding.subjects.serviceaccount_ns_names', 'ka.req.binding.subjects.group_names', 'ka.req.binding.role',
    'ka.req.configmap.name', 'ka.req.configmap.obj', 'ka.req.container.image', 'ka.req.container.image.repository',
    'ka.req.container.host_network', 'ka.req.container.privileged',
    ...['image', 'image.repository', 'name', 'command', 'args', 'privileged', 'allow_privilege_escalation', 'read_only_fs', 'run_as_user', 'eff_run_as_user', 'run_as_group', 'eff_run_as_group', 'host_port', 'proc_mount', 'add_capabilities'].map((s) => `ka.req.pod.containers.${s}`),
    'ka.req.pod.host_ipc', 'ka.req.pod.host_network', 'ka.req.pod.host_pid', 'ka.req.pod.run_as_user', 'ka.req.pod.run_as_group',
    'ka.req.pod.fs_group', 'ka.req.pod.supplemental_groups', 'ka.req.pod.volumes.hostpath', 'ka.req.pod.volumes.flexvolume_driver',
    'ka.req.pod.volumes.volume_type', 'ka.req.role.rules', 'ka.req.role.rules.apiGroups', 'ka.req.role.rules.nonResourceURLs',
    'ka.req.role.rules.verbs', 'ka.req.role.rules.resources', 'ka.req.service.type', 'ka.req.service.ports', 'ka.req.volume.hostpath',
    'ka.resp.name', 'ka.response.code', 'ka.response.reason',
  ];
  for (const w of wanted) assert.ok(names.has(w), `missing ${w}`);
});

test('requestObject.data as text: JSON of an object, a string as is, absent when missing or null, read once', () => {
  const obj: { requestObject: { data: Record<string, string> } } = { requestObject: { data: { 'db.conf': 'password=x' } } };
  const e = toAuditEvent(obj);
  assert.equal(e.requestDataText, '{"db.conf":"password=x"}');
  obj.requestObject.data = { other: 'y' };
  assert.equal(e.requestDataText, '{"db.conf":"password=x"}');
  assert.equal(toAuditEvent({ requestObject: { data: 'plain' } }).requestDataText, 'plain');
  assert.equal(toAuditEvent({ requestObject: { data: null } }).requestDataText, undefined);
  assert.equal(toAuditEvent({ requestObject: null }).requestDataText, undefined);
  assert.equal(toAuditEvent({ verb: 'get' }).requestDataText, undefined);
});
