import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindError, field } from '../fieldValue';
import { traceEvent, traceEvents } from '../traceEvent';

test('request identity fields from a real create', () => {
  const e = traceEvent('some-user_creates_namespace_foo.json');
  assert.match(field(e, 'ka.auditid') as string, /^[0-9a-f-]{36}$/);
  assert.equal(field(e, 'ka.stage'), 'ResponseComplete');
  assert.equal(field(e, 'ka.user.name'), 'some-user');
  assert.deepEqual(field(e, 'ka.user.groups'), ['developers', 'system:authenticated']);
  assert.equal(field(e, 'ka.impuser.name'), undefined);
  assert.equal(field(e, 'ka.verb'), 'create');
  assert.equal(field(e, 'ka.uri'), '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict');
  assert.equal(field(e, 'ka.useragent'), 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819');
  assert.deepEqual(field(e, 'ka.sourceips'), ['172.18.0.1']);
  assert.deepEqual(field(e, 'ka.sourceips', '0'), ['172.18.0.1']);
  assert.equal(field(e, 'ka.sourceips', '1'), undefined);
  assert.equal(field(e, 'ka.target.name'), 'foo');
  assert.equal(field(e, 'ka.target.namespace'), undefined);
  assert.equal(field(e, 'ka.target.resource'), 'namespaces');
  assert.equal(field(e, 'ka.target.subresource'), undefined);
  assert.equal(field(e, 'ka.resp.name'), 'foo');
  assert.equal(field(e, 'ka.response.code'), '201');
  assert.equal(field(e, 'ka.response.reason'), undefined);
  assert.equal(field(e, 'ka.auth.decision'), 'allow');
  assert.match(field(e, 'ka.auth.reason') as string, /^RBAC: allowed by ClusterRoleBinding/);
});

test('ka.uri.param decodes and takes the first of repeated keys', () => {
  const [started] = traceEvents('exec_pod.json');
  assert.equal(field(started, 'ka.uri.param', 'command'), '/bin/sh');
  assert.equal(field(started, 'ka.uri.param', 'container'), 'nginx');
  assert.equal(field(started, 'ka.uri.param', 'nope'), undefined);
  assert.equal(field({ requestURI: '/api/v1/pods' }, 'ka.uri.param', 'x'), undefined);
  assert.match(bindError('ka.uri.param'), /requires an argument/);
});

test('subresource, target pod name and failure reason', () => {
  const [started] = traceEvents('exec_pod.json');
  assert.equal(field(started, 'ka.target.subresource'), 'exec');
  assert.equal(field(started, 'ka.target.pod.name'), 'nginx-unprivileged');
  assert.equal(field(started, 'ka.response.code'), '101');
  const pod = { objectRef: { resource: 'pods', namespace: 'default' }, responseObject: { metadata: { name: 'web-abc12' } } };
  assert.equal(field(pod, 'ka.target.pod.name'), 'web-abc12');
  assert.equal(field({ objectRef: { resource: 'services', name: 's' } }, 'ka.target.pod.name'), undefined);
  const failed = traceEvent('create_deployment_already_exists.json');
  assert.equal(field(failed, 'ka.response.code'), '409');
  assert.equal(field(failed, 'ka.response.reason'), 'AlreadyExists');
});

test('annotation fields', () => {
  const obj = { annotations: { cluster_name: 'prod-eu', 'pod-security.kubernetes.io/audit-violations': 'privileged (container "x" must not set securityContext.privileged=true)' }, impersonatedUser: { username: 'bob' } };
  assert.equal(field(obj, 'ka.cluster.name'), 'prod-eu');
  assert.match(field(obj, 'ka.security.pod.violations') as string, /^privileged/);
  assert.equal(field(obj, 'ka.impuser.name'), 'bob');
  assert.equal(field(obj, 'ka.auth.decision'), undefined);
});
