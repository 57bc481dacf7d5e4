import assert from 'node:assert/strict';
import { test } from 'node:test';
import { field } from '../fieldValue';
import { traceEvent, traceEvents } from '../traceEvent';

test('binding fields', () => {
  const e = traceEvent('create_cluster_role_binding_cluster_admin.json');
  assert.equal(field(e, 'ka.req.binding.role'), 'cluster-admin');
  const subjects = field(e, 'ka.req.binding.subjects') as string[];
  assert.equal(subjects.length, 2);
  assert.deepEqual(JSON.parse(subjects[0]), { kind: 'ServiceAccount', name: 'ci-runner', namespace: 'ci' });
  assert.deepEqual(field(e, 'ka.req.binding.subjects.user_names'), ['alice']);
  assert.deepEqual(field(e, 'ka.req.binding.subjects.serviceaccount_names'), ['ci-runner']);
  assert.deepEqual(field(e, 'ka.req.binding.subjects.serviceaccount_ns_names'), ['ci:ci-runner']);
  assert.equal(field(e, 'ka.req.binding.subjects.group_names'), undefined);
  assert.equal(field(e, 'ka.req.binding.subject.has_name', 'alice'), 'true');
  assert.equal(field(e, 'ka.req.binding.subject.has_name', 'mallory'), 'false');
  const view = traceEvent('create_cluster_role_binding_view.json');
  assert.deepEqual(field(view, 'ka.req.binding.subjects.group_names'), ['developers']);
  assert.equal(field(traceEvent('create_deployment.json'), 'ka.req.binding.subject.has_name', 'alice'), undefined);
});

test('role rule fields, flattened or per rule', () => {
  const e = traceEvent('create_cluster_role_write_privileges.json');
  assert.deepEqual(field(e, 'ka.req.role.rules.verbs'), ['get', 'list', 'update', 'patch']);
  assert.deepEqual(field(e, 'ka.req.role.rules.verbs', '1'), ['update', 'patch']);
  assert.equal(field(e, 'ka.req.role.rules.verbs', '5'), undefined);
  assert.deepEqual(field(e, 'ka.req.role.rules.resources'), ['configmaps', 'configmaps']);
  assert.deepEqual(field(e, 'ka.req.role.rules.apiGroups'), ['', '']);
  assert.equal((field(e, 'ka.req.role.rules') as string[]).length, 2);
  assert.deepEqual(JSON.parse((field(e, 'ka.req.role.rules') as string[])[1]).verbs, ['update', 'patch']);
  const ro = traceEvent('create_cluster_role_read_only.json');
  assert.deepEqual(field(ro, 'ka.req.role.rules.nonResourceURLs'), ['/metrics']);
});

test('configmap and service fields', () => {
  const cms = traceEvents('create_configmap_sensitive_values.json');
  assert.equal(cms.length, 6);
  assert.equal(field(cms[4], 'ka.req.configmap.name'), 'db-config');
  assert.match(field(cms[4], 'ka.req.configmap.obj') as string, /password=hunter2/);
  const svc = traceEvent('create_nginx_service_nodeport.json');
  assert.equal(field(svc, 'ka.req.service.type'), 'NodePort');
  const ports = field(svc, 'ka.req.service.ports') as string[];
  assert.deepEqual(JSON.parse(ports[0]), { protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 });
  assert.deepEqual(field(svc, 'ka.req.service.ports', '0'), ports);
  assert.equal(field(svc, 'ka.req.service.ports', '1'), undefined);
});
