import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageRepository } from '../../../src/sources/k8s_audit/imageName';

test('strips tag and digest, keeps registry and port', () => {
  assert.equal(imageRepository('nginx'), 'nginx');
  assert.equal(imageRepository('nginx:1.25'), 'nginx');
  assert.equal(imageRepository('docker.io/falcosecurity/falco:0.37.1'), 'docker.io/falcosecurity/falco');
  assert.equal(imageRepository('registry.k8s.io/kube-proxy@sha256:0123abcd'), 'registry.k8s.io/kube-proxy');
  assert.equal(imageRepository('localhost:5000/app:v2@sha256:00'), 'localhost:5000/app');
  assert.equal(imageRepository('localhost:5000/app'), 'localhost:5000/app');
});
