import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInetTable, parseUnixTable } from '../../../../src/sources/syscall/state/procNet';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0 100 0 0 10 0
   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0 100 0 0 10 0
`;

test('tcp: listeners are servers, connections are clients', () => {
  const m = parseInetTable(TCP, 'ipv4', 'tcp');
  const l = m.get('1111')!;
  assert.equal(l.isServer, true);
  assert.equal(l.sip, '127.0.0.1');
  assert.equal(l.sport, 8080);
  const c = m.get('2222')!;
  assert.equal(c.name, '127.0.0.1:40000->127.0.0.1:8080');
  assert.equal(c.l4proto, 'tcp');
  assert.equal(c.isServer, false);
});

test('tcp6 addresses and unix paths', () => {
  const m = parseInetTable(TCP6, 'ipv6', 'tcp');
  assert.equal(m.get('3333')?.sip, '::1');
  assert.equal(m.get('3333')?.sport, 22);
  const u = parseUnixTable('Num       RefCount Protocol Flags    Type St Inode Path\n0000: 00000002 00000000 00010000 0001 01 4444 /run/x.sock\n0000: 00000002 00000000 00010000 0001 01 5555\n');
  assert.equal(u.get('4444')?.name, '/run/x.sock');
  assert.equal(u.get('5555')?.type, 'unix');
});
