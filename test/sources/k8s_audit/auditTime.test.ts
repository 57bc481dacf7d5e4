import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatClockNs, formatIsoNs, parseRfc3339Ns } from '../../../src/sources/k8s_audit/auditTime';

test('parses RFC 3339 with nanoseconds exactly', () => {
  assert.equal(parseRfc3339Ns('2024-05-14T09:10:11.123456789Z'), 1715677811123456789n);
  assert.equal(parseRfc3339Ns('2024-05-14T09:10:11.5Z'), 1715677811500000000n);
  assert.equal(parseRfc3339Ns('2024-05-14T09:10:11Z'), 1715677811000000000n);
});

test('applies offsets', () => {
  assert.equal(parseRfc3339Ns('2024-05-14T11:10:11.000001+02:00'), 1715677811000001000n);
  assert.equal(parseRfc3339Ns('2024-05-14T04:10:11-05:00'), 1715677811000000000n);
});

test('rejects what is not RFC 3339', () => {
  assert.equal(parseRfc3339Ns('2024-05-14'), undefined);
  assert.equal(parseRfc3339Ns('yesterday'), undefined);
  assert.equal(parseRfc3339Ns('2024-05-14T09:10:11'), undefined);
});

test('formats clock and ISO time with nanoseconds', () => {
  const ns = 1715677811000000042n;
  assert.equal(formatClockNs(ns), '09:10:11.000000042');
  assert.equal(formatIsoNs(ns), '2024-05-14T09:10:11.000000042Z');
});

test('rejects malformed parts and trailing text', () => {
  for (const bad of ['2024-13-14T09:10:11Z', '2024-05-14T25:10:11Z', '2024-05-14T09:10:11.Z', '2024-05-14T09:10:11Zjunk', '2024-05-14T09:10:11+0200', '2024-05-14X09:10:11Z', '2O24-05-14T09:10:11Z']) {
    assert.equal(parseRfc3339Ns(bad), undefined, bad);
  }
  assert.equal(parseRfc3339Ns('2024-05-14t09:10:11.1234567891z'), 1715677811123456789n);
});
