import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget } from '../../src/server/byteBudget';

test('grants while it fits, then queues in order until bytes come back', () => {
  const b = new ByteBudget(100);
  const order: string[] = [];
  const r1 = b.reserve(60, () => order.push('r1'));
  const r2 = b.reserve(30, () => order.push('r2'));
  assert.equal(r1.granted && r2.granted, true);
  const r3 = b.reserve(50, () => order.push('r3'));
  const r4 = b.reserve(5, () => order.push('r4'));
  // r4 would fit but must not jump the line
  assert.equal(r3.granted, false);
  assert.equal(r4.granted, false);
  assert.equal(b.waiters, 2);
  b.release(r2);
  assert.deepEqual(order, []);
  b.release(r1);
  assert.deepEqual(order, ['r3', 'r4']);
  assert.equal(b.bytesReserved, 55);
  assert.equal(b.peakBytesReserved, 90);
  b.release(r3);
  b.release(r3);
  b.release(r4);
  assert.equal(b.bytesReserved, 0);
});

test('a waiting reservation can be withdrawn', () => {
  const b = new ByteBudget(10);
  const r1 = b.reserve(10, () => undefined);
  let granted = false;
  const r2 = b.reserve(10, () => (granted = true));
  b.release(r2);
  assert.equal(b.waiters, 0);
  b.release(r1);
  assert.equal(granted, false);
  assert.equal(b.bytesReserved, 0);
});

test('refuses a reservation bigger than the whole budget', () => {
  assert.throws(() => new ByteBudget(10).reserve(11, () => undefined), /cannot reserve 11 bytes of a 10-byte budget/);
});
