import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv6Text } from '../../../src/sources/syscall/ipv6Text';

const g = (text: string): string[] => text.split(':');

test('the longest run of zero groups becomes ::', () => {
  assert.equal(ipv6Text(g('0:0:0:0:0:0:0:1')), '::1');
  assert.equal(ipv6Text(g('fe80:0:0:0:0:0:0:0')), 'fe80::');
  assert.equal(ipv6Text(g('0:0:0:0:0:0:0:0')), '::');
  assert.equal(ipv6Text(g('2001:db8:0:0:1:0:0:0')), '2001:db8:0:0:1::');
  assert.equal(ipv6Text(g('0:0:0:0:0:ffff:a00:1')), '::ffff:a00:1');
});

test('of two equally long runs the first is compressed', () => {
  assert.equal(ipv6Text(g('2001:0:0:1:0:0:2:3')), '2001::1:0:0:2:3');
});

test('a single zero group is not compressed', () => {
  assert.equal(ipv6Text(g('2001:db8:0:1:2:3:4:5')), '2001:db8:0:1:2:3:4:5');
  assert.equal(ipv6Text(g('1:2:3:4:5:6:7:8')), '1:2:3:4:5:6:7:8');
});
