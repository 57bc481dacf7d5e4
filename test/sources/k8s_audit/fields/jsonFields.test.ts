import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toAuditEvent } from '../../../../src/sources/k8s_audit';
import { bindError, field } from '../fieldValue';

const obj = { auditID: 'id1', stage: 'ResponseComplete', stageTimestamp: '2024-05-14T09:10:11.000000042Z', user: { username: 'alice', groups: ['a', 'b'] }, responseStatus: { code: 201 }, requestObject: { spec: { hostNetwork: true } } };

test('jevt.value / json.value: strings as they are, other values as JSON, missing undefined', () => {
  for (const name of ['jevt.value', 'json.value']) {
    assert.equal(field(obj, name, '/user/username'), 'alice');
    assert.equal(field(obj, name, '/user/groups'), '["a","b"]');
    assert.equal(field(obj, name, '/user/groups/1'), 'b');
    assert.equal(field(obj, name, '/responseStatus/code'), '201');
    assert.equal(field(obj, name, '/requestObject/spec/hostNetwork'), 'true');
    assert.equal(field(obj, name, '/requestObject/spec/tls'), undefined);
  }
});

test('jevt.value argument errors', () => {
  assert.match(bindError('jevt.value'), /requires an argument/);
  assert.match(bindError('jevt.value', 'stage'), /invalid JSON pointer 'stage'/);
  assert.equal(bindError('jevt.value', '/stage'), '');
  assert.match(bindError('jevt.obj', '/x'), /takes no argument/);
});

test('times: rawtime (abstime ns), time, iso8601', () => {
  assert.equal(field(obj, 'jevt.rawtime'), 1715677811000000042n);
  assert.equal(field(obj, 'json.rawtime'), 1715677811000000042n);
  assert.equal(field(obj, 'jevt.time'), '09:10:11.000000042');
  assert.equal(field(obj, 'jevt.time.iso8601'), '2024-05-14T09:10:11.000000042Z');
});

test('jevt.obj / json.obj: the whole event as JSON', () => {
  const e = toAuditEvent(obj);
  assert.deepEqual(JSON.parse(field(e, 'jevt.obj') as string), obj);
  assert.equal(field(e, 'json.obj'), field(e, 'jevt.obj'));
});
