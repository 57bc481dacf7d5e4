import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressMatcher, networkMatcher, parseCidr, parseIPv4, parseIPv6 } from '../../src/engine/ipnet';

test('IPv4 parsing', () => {
  assert.equal(parseIPv4('0.0.0.0'), 0);
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIPv4('10.1.2.3'), (10 << 24) + (1 << 16) + (2 << 8) + 3);
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d', '', '1.2.3.']) {
    assert.equal(parseIPv4(bad), -1, bad);
  }
});

test('IPv6 parsing, with :: and embedded IPv4', () => {
  assert.deepEqual(parseIPv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(parseIPv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(parseIPv6('2001:db8::ff00:42:8329'), [0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329]);
  assert.deepEqual(parseIPv6('fe80::1%eth0'), [0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(parseIPv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
  assert.deepEqual(parseIPv6('::1.2.3.4'), [0, 0, 0, 0, 0, 0, 0x102, 0x304]);
  assert.deepEqual(parseIPv6('1:2:3:4:5:6:1.2.3.4'), [1, 2, 3, 4, 5, 6, 0x102, 0x304]);
  for (const bad of ['1.2.3.4', '1:2:3', ':::', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '::1.2.3']) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
});

test('CIDR parsing masks the base', () => {
  assert.deepEqual(parseCidr('10.1.2.3/8'), { v6: false, base: 10 * 2 ** 24, prefix: 8 });
  assert.deepEqual(parseCidr('0.0.0.0/0'), { v6: false, base: 0, prefix: 0 });
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0'), undefined);
  assert.equal(parseCidr('10.0.0.0/x'), undefined);
  assert.deepEqual(parseCidr('fe80::1/10'), { v6: true, base: [0xfe80, 0, 0, 0, 0, 0, 0, 0], prefix: 10 });
});

test('matchers', () => {
  const m = addressMatcher(['1.2.3.4', '10.0.0.0/8', '2001:db8::/32', '::1']);
  assert.equal(m('1.2.3.4'), true);
  assert.equal(m('1.2.3.5'), false);
  assert.equal(m('10.255.0.1'), true);
  assert.equal(m('11.0.0.1'), false);
  assert.equal(m('2001:db8:1::1'), true);
  assert.equal(m('2001:db9::1'), false);
  assert.equal(m('0::0:1'), true);
  assert.equal(m('nonsense'), false);
  assert.throws(() => addressMatcher(['x']), /'x' is not an IP address or CIDR network/);
  const n = networkMatcher(['192.168.1.5', '10.0.0.0/8']);
  assert.equal(n('192.168.0.0/16'), true);
  assert.equal(n('192.168.2.0/24'), false);
  assert.equal(n('10.0.0.0/8'), true);
  assert.equal(n('10.0.0.0/9'), false);
  assert.equal(n('junk'), false);
});
