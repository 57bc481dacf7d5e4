import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { withSuggestedFields } from '../../src/engine/suggestedOutput';
import { syscallSource } from '../../src/sources/syscall';

const FIELDS = ['container.id', 'container.name', 'k8s.ns.name', 'k8s.pod.name'];

test('suggested fields are appended as key=%field, except those the output prints', () => {
  assert.equal(withSuggestedFields('opened %fd.name', FIELDS), 'opened %fd.name container_id=%container.id container_name=%container.name k8s_ns_name=%k8s.ns.name k8s_pod_name=%k8s.pod.name');
  assert.equal(withSuggestedFields('x %container.name y (id=%container.id)  ', FIELDS), 'x %container.name y (id=%container.id) k8s_ns_name=%k8s.ns.name k8s_pod_name=%k8s.pod.name');
  assert.equal(withSuggestedFields('%(k8s.pod.name)', ['k8s.pod.name']), '%(k8s.pod.name)');
  // a longer field with the same start is another field
  assert.equal(withSuggestedFields('%container.id_x %container.image', ['container.id']), '%container.id_x %container.image container_id=%container.id');
});

test('the engine appends the syscall source suggested fields only when asked', () => {
  const rules = [{ name: 'r.yaml', content: '- rule: R\n  desc: d\n  condition: evt.type = open\n  output: "opened %fd.name"\n  priority: WARNING\n' }];
  const on = new Engine([syscallSource], { appends: [{ suggested: true }] });
  assert.equal(on.loadRulesContent(rules).errors.length, 0);
  const off = new Engine([syscallSource]);
  assert.equal(off.loadRulesContent(rules).errors.length, 0);
  const fake = { view: { ts: 0n }, thread: undefined, container: undefined, containers: { get: () => undefined } } as never;
  assert.equal(on.rules[0].output.render(fake), 'opened <NA> container_id=<NA> container_name=<NA> k8s_ns_name=<NA> k8s_pod_name=<NA>');
  assert.equal(off.rules[0].output.render(fake), 'opened <NA>');
});
