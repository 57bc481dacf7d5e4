import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orientSeededSockets, parseInetTable, parseUnixTable } from '../../../../src/sources/syscall/state/procNet';
import { ThreadTable } from '../../../../src/sources/syscall/state/threadTable';

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
  assert.equal(l.name, '127.0.0.1:8080', 'named by its address, as libs names a listener from /proc');
  const c = m.get('2222')!;
  assert.equal(c.name, '127.0.0.1:40000->127.0.0.1:8080');
  assert.equal(c.l4proto, 'tcp');
  assert.equal(c.isServer, false);
});

test('tcp6 addresses and unix paths', () => {
  const m = parseInetTable(TCP6, 'ipv6', 'tcp');
  assert.equal(m.get('3333')?.sip, '::1');
  assert.equal(m.get('3333')?.sport, 22);
  assert.equal(m.get('3333')?.name, '::1:22', 'IPv6 without brackets');
  const u = parseUnixTable('Num       RefCount Protocol Flags    Type St Inode Path\n0000: 00000002 00000000 00010000 0001 01 4444 /run/x.sock\n0000: 00000002 00000000 00010000 0001 01 5555\n');
  assert.equal(u.get('4444')?.name, '/run/x.sock');
  assert.equal(u.get('5555')?.type, 'unix');
});

test('seeded connections whose local port a listener holds are the server end, named client->server as libs names them', () => {
  // the server's side of the 40000 -> 8080 connection, and a v6 listener on 22 with an IPv4 connection to it
  const table = parseInetTable(`${TCP}   2: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 6666 1 0 20 4 30 10 -1
   3: 0100007F:0016 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 7777 1 0 20 4 30 10 -1
`, 'ipv4', 'tcp');
  parseInetTable(TCP6, 'ipv6', 'tcp', table);
  const threads = new ThreadTable();
  const server = threads.create(10);
  server.fds.set(3, table.get('1111')!);
  server.fds.set(4, table.get('6666')!);
  server.fds.set(6, table.get('7777')!);
  const worker = threads.create(11, server.fds);
  worker.pid = 10;
  const client = threads.create(20);
  client.fds.set(5, table.get('2222')!);
  threads.create(30).fds.set(3, table.get('3333')!);
  assert.equal(orientSeededSockets(threads), 2, 'each socket turned once, however many threads share it');
  const accepted = server.fds.get(4)!;
  assert.equal(accepted.name, '127.0.0.1:40000->127.0.0.1:8080');
  assert.equal(accepted.isServer, true);
  assert.equal(accepted.cport, 40000);
  assert.equal(accepted.sport, 8080);
  assert.equal(server.fds.get(6)!.name, '127.0.0.2:54321->127.0.0.1:22');
  assert.equal(client.fds.get(5)!.name, '127.0.0.1:40000->127.0.0.1:8080', 'the client end stays as it was');
  assert.equal(client.fds.get(5)!.isServer, false);
  assert.equal(server.fds.get(3)!.isServer, true);
});

test('tcp6: a connection of an IPv4 peer on a dual-stack socket (both ends mapped) is IPv4; listeners stay IPv6', () => {
  const m = parseInetTable(`  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8888 1 0 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 9999 1 0 20 4 30 10 -1
`, 'ipv6', 'tcp');
  assert.equal(m.get('8888')?.type, 'ipv6');
  assert.equal(m.get('8888')?.name, ':::8080');
  const c = m.get('9999')!;
  assert.equal(c.type, 'ipv4');
  assert.equal(c.name, '127.0.0.1:8080->127.0.0.1:40000');
});

