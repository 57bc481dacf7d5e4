import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPodSpec } from '../../../src/sources/k8s_audit/podSpec';

const spec = { containers: [{ name: 'c', image: 'nginx' }] };

test('finds the pod spec in each workload kind', () => {
  assert.equal(findPodSpec({ kind: 'Pod', spec }, 'pods'), spec);
  for (const kind of ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']) {
    assert.equal(findPodSpec({ kind, spec: { replicas: 1, template: { spec } } }, 'x'), spec, kind);
  }
  assert.equal(findPodSpec({ kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec } } } } }, 'cronjobs'), spec);
});

test('falls back on the resource when the object has no kind (patches)', () => {
  assert.equal(findPodSpec({ spec }, 'pods'), spec);
  assert.equal(findPodSpec({ spec: { template: { spec } } }, 'deployments'), spec);
  assert.equal(findPodSpec({ spec: { jobTemplate: { spec: { template: { spec } } } } }, 'cronjobs'), spec);
});

test('no pod spec elsewhere', () => {
  assert.equal(findPodSpec({ kind: 'Service', spec: { type: 'NodePort' } }, 'services'), undefined);
  assert.equal(findPodSpec({ kind: 'Deployment', spec: {} }, 'deployments'), undefined);
  assert.equal(findPodSpec(undefined, 'pods'), undefined);
  assert.equal(findPodSpec({ kind: 'Pod', spec: 'x' }, 'pods'), undefined);
});
