// A subscriber that stops reading leaves the alerts in the channel's bounded
// queue rather than in the server's buffers (the streams honour HTTP/2 flow
// control), and gets every alert, in order, once it reads again. A grpc-js
// client with a large HTTP/2 window, which lets the server send a lot at once,
// keeps receiving while it polls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { grpcTypes } from '../../../src/outputs/grpc/grpcProtos';
import { startGrpcServer } from '../../../src/outputs/grpc/grpcServer';
import { grpcServerConfig } from '../../../src/outputs/grpc/grpcServerConfig';
import { Outputs } from '../../../src/outputs/outputs';
import { alert, collectLog, config } from '../channels/alerts';
import { type FalcoResponse, falcoClients } from './falcoClient';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-grpc-channel-'));
const VERSIONS = { version: '0.0.0', engineVersion: '0.0.0', engineFieldsChecksum: '' };
const N = 20_000;

/** resolves once `read()` gave the same value 3 times in a row, 100 ms apart (at most `ms`) */
async function settled(read: () => number, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  let last = read();
  let same = 0;
  while (same < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/**
 * A `sub` call over plain HTTP/2 (gRPC's framing by hand): unlike grpc-js's
 * client, which reads whatever arrives, it reads only while flowing, so HTTP/2
 * flow control pushes back on the server when it is paused.
 */
function rawSub(socketPath: string, askNow = true) {
  const session = http2.connect('http://localhost', { createConnection: () => net.connect(socketPath) });
  const stream = session.request({ ':method': 'POST', ':path': '/falco.outputs.service/sub', 'content-type': 'application/grpc', te: 'trailers' });
  stream.pause();
  // one empty falco.outputs.request: not compressed, length 0
  const ask = (): void => void stream.write(Buffer.alloc(5));
  if (askNow) ask();
  let buf = Buffer.alloc(0);
  const messages: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
      const len = buf.readUInt32BE(1);
      messages.push(buf.subarray(5, 5 + len));
      buf = buf.subarray(5 + len);
    }
  });
  return {
    messages,
    ask,
    read: () => void stream.resume(),
    /** RST_STREAM CANCEL, as a client cancelling its call sends */
    cancel: () => void stream.close(http2.constants.NGHTTP2_CANCEL),
    close: () => session.destroy(),
  };
}

test('a subscriber that does not read leaves the alerts queued (bounded), then gets all of them in order', async (t) => {
  const sock = path.join(dir, 'w.sock');
  const c = config('grpc.enabled=true', 'grpc_output.enabled=true', `grpc.bind_address=unix://${sock}`, 'json_output=true');
  const out = new Outputs(c, collectLog());
  const server = await startGrpcServer(grpcServerConfig(c)!, out.grpcChannel, VERSIONS);
  const sub = rawSub(sock);
  t.after(async () => {
    sub.close();
    await out.close();
    await server.close();
  });
  for (let i = 0; i < N; i++) out.emit(alert(i));
  const ch = out.grpcChannel!;
  assert.equal(ch.queued, N);

  // asked once, not read: what leaves the queue is what HTTP/2's window, the
  // socket and the stream's own buffer hold
  const held = await settled(() => ch.queued);
  assert.ok(held < N, `the server started sending (${held} of ${N} still queued)`);
  assert.ok(held >= N / 2, `a subscriber that does not read took only what the buffers hold: ${N - held} of ${N} left the queue`);

  t.diagnostic(`${N - held} of ${N} alerts left the queue while the subscriber did not read`);
  sub.read();
  const deadline = Date.now() + 30_000;
  while (sub.messages.length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(sub.messages.length, N);
  const response = grpcTypes().outputsResponse;
  sub.messages.forEach((m, i) => assert.equal((response.decode(m) as unknown as { time: { nanos: number } }).time.nanos, i, `alert ${i} arrives in order`));
  assert.equal(ch.queued, 0);
  assert.equal(ch.stats.sent, N);
  assert.equal(ch.stats.droppedTotal, 0);
});

test('a subscriber that cancels while the server waits for room on its stream is no longer written to; another gets the rest in order', async (t) => {
  const sock = path.join(dir, 'cancel.sock');
  const c = config('grpc.enabled=true', 'grpc_output.enabled=true', `grpc.bind_address=unix://${sock}`, 'json_output=true');
  const out = new Outputs(c, collectLog());
  const server = await startGrpcServer(grpcServerConfig(c)!, out.grpcChannel, VERSIONS);
  const first = rawSub(sock);
  const second = rawSub(sock, false);
  t.after(async () => {
    first.close();
    second.close();
    await out.close();
    await server.close();
  });
  for (let i = 0; i < N; i++) out.emit(alert(i));
  const ch = out.grpcChannel!;
  const held = await settled(() => ch.queued);
  assert.ok(held > 0 && held < N, `the server sent part of the queue and waits (${held} of ${N} still queued)`);
  assert.equal(ch.writing, 1, 'the server waits for room on the stream that does not read');

  first.cancel();
  const deadline = Date.now() + 10_000;
  while ((ch.writing > 0 || ch.subscribers > 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(ch.writing, 0, 'nothing waits on the cancelled stream');
  assert.equal(ch.subscribers, 1, 'only the second subscriber is left');
  assert.equal(ch.queued, held, 'what the cancelled stream did not take stays queued');

  // the second subscriber had asked nothing yet: asking now, it gets what is left, in order
  second.ask();
  second.read();
  while (second.messages.length < held && Date.now() < deadline + 20_000) await new Promise((r) => setTimeout(r, 20));
  assert.equal(second.messages.length, held);
  const response = grpcTypes().outputsResponse;
  second.messages.forEach((m, k) => assert.equal((response.decode(m) as unknown as { time: { nanos: number } }).time.nanos, N - held + k, `alert ${N - held + k} arrives in order`));
  assert.equal(ch.queued, 0);
});

test('a grpc-js subscriber with a 64 MiB HTTP/2 window polling while alerts keep coming gets all of them in order', async (t) => {
  const sock = path.join(dir, 'big-window.sock');
  const c = config('grpc.enabled=true', 'grpc_output.enabled=true', `grpc.bind_address=unix://${sock}`, 'json_output=true');
  const out = new Outputs(c, collectLog());
  const server = await startGrpcServer(grpcServerConfig(c)!, out.grpcChannel, VERSIONS);
  const window = 64 * 1024 * 1024;
  const client = falcoClients(`unix://${sock}`, undefined, { 'grpc-node.flow_control_window': window, 'grpc-node.max_session_memory': 1024 });
  const sub = client.outputs.sub();
  const total = 100_000;
  const nanos: number[] = [];
  sub.on('data', (r: FalcoResponse) => void nanos.push(r.time.nanos));
  const poll = setInterval(() => sub.write({}), 2);
  t.after(async () => {
    clearInterval(poll);
    // the cancellation this causes is the teardown's own
    sub.on('error', () => undefined);
    sub.cancel();
    client.close();
    await out.close();
    await server.close();
  });
  const ch = out.grpcChannel!;
  const deadline = Date.now() + 60_000;
  let i = 0;
  while (i < total && Date.now() < deadline) {
    // bursts as the agent emits them, never more than the queue holds
    const n = Math.min(total - i, 5_000, out.queue.capacity - ch.queued);
    for (let k = 0; k < n; k++) out.emit(alert(i++));
    await new Promise((r) => setImmediate(r));
  }
  while (nanos.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(nanos.length, total, `received ${nanos.length} of ${total}`);
  for (let k = 0; k < total; k++) if (nanos[k] !== k) assert.fail(`alert ${k} arrived as ${nanos[k]}: out of order`);
  assert.equal(ch.stats.droppedTotal, 0);
  assert.equal(ch.stats.sent, total);
});
