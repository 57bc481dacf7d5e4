// Vigil's gRPC server answered by a client generated from Falco's own proto
// files: `get` and `sub` deliver the alerts unchanged (every field of
// falco.outputs.response), `version` answers, the unix socket needs no
// credentials and TCP requires mutual TLS.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../../src/config';
import { startGrpcServer } from '../../../src/outputs/grpc/grpcServer';
import { grpcServerConfig } from '../../../src/outputs/grpc/grpcServerConfig';
import { ChannelStats } from '../../../src/outputs/channels/channel';
import { Outputs } from '../../../src/outputs/outputs';
import { alert, collectLog, config } from '../channels/alerts';
import { makeCerts } from '../channels/certs';
import { type FalcoResponse, falcoClients, take } from './falcoClient';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-grpc-'));
const VERSIONS = { version: '1.2.3-rc.1+abc', engineVersion: '0.57.0', engineFieldsChecksum: 'f'.repeat(64) };

function grpcOutputs(bind: string, ...extra: string[]) {
  const out = new Outputs(config('grpc.enabled=true', 'grpc_output.enabled=true', `grpc.bind_address=${bind}`, 'json_output=true', ...extra), collectLog());
  return { out, cfg: grpcServerConfig(config('grpc.enabled=true', `grpc.bind_address=${bind}`, ...extra))! };
}

function check(r: FalcoResponse, i: number, line: string): void {
  assert.equal(r.rule, 'Test Rule');
  // alert() makes priority 4, Warning; the enum's first name for it
  assert.equal(r.priority, 'WARNING');
  assert.equal(r.source, 'k8s_audit');
  assert.equal(r.source_deprecated, 'K8S_AUDIT');
  assert.equal(r.time.seconds, '1715679935');
  assert.equal(r.time.nanos, i);
  assert.deepEqual(r.tags, ['k8s', 'test']);
  assert.equal(r.hostname, os.hostname());
  // the output is the line the other channels get; fields are strings, non-strings as JSON
  assert.equal(r.output, line);
  assert.deepEqual(r.output_fields, { 'ka.user.name': `user${i}`, 'ka.verb': 'create', n: String(i), ok: 'true', missing: 'null' });
}

test('unix socket: get streams what is queued and ends; sub answers each request with what is queued then', async () => {
  const sock = path.join(dir, 'a', 'vigil.sock');
  const { out, cfg } = grpcOutputs(`unix://${sock}`);
  const lines: string[] = [];
  out.addChannel({ name: 'lines', stats: new ChannelStats(), queued: 0, send: (r) => void lines.push(r.line), flush() {}, reopen() {}, close: async () => undefined });
  const server = await startGrpcServer(cfg, out.grpcChannel, VERSIONS);
  const c = falcoClients(`unix://${sock}`);
  after(() => c.close());
  for (let i = 0; i < 3; i++) out.emit(alert(i));
  const got = await new Promise<FalcoResponse[]>((resolve, reject) => {
    const all: FalcoResponse[] = [];
    c.outputs.get({}).on('data', (r: FalcoResponse) => all.push(r)).on('end', () => resolve(all)).on('error', reject);
  });
  assert.equal(got.length, 3);
  got.forEach((r, i) => check(r, i, lines[i]));
  assert.equal(out.grpcChannel!.queued, 0);

  const sub = c.outputs.sub();
  for (let i = 3; i < 5; i++) out.emit(alert(i));
  sub.write({});
  const first = await take(sub, 2);
  assert.deepEqual(first.map((r) => r.output_fields['ka.user.name']), ['user3', 'user4']);
  // alerts after the answer wait for the next request, as with Falco
  for (let i = 5; i < 105; i++) out.emit(alert(i));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(out.grpcChannel!.queued, 100);
  sub.write({});
  const second = await take(sub, 100);
  assert.equal(second[99].output_fields['ka.user.name'], 'user104');
  second.forEach((r, k) => check(r, k + 5, lines[k + 5]));
  sub.end();
  await out.close();
  await server.close();
  assert.equal(out.grpcChannel!.stats.sent, 105);
});

test('version: Vigil and engine versions in Falco\'s message', async () => {
  const sock = path.join(dir, 'v.sock');
  const { out, cfg } = grpcOutputs(`unix://${sock}`);
  const server = await startGrpcServer(cfg, out.grpcChannel, VERSIONS);
  const c = falcoClients(`unix://${sock}`);
  after(() => c.close());
  const v = await new Promise<Record<string, unknown>>((resolve, reject) => c.version.version({}, (err, res) => (err ? reject(err) : resolve(res))));
  assert.deepEqual(v, {
    version: '1.2.3-rc.1+abc', major: 1, minor: 2, patch: 3, prerelease: 'rc.1', build: 'abc',
    engine_major: 0, engine_minor: 57, engine_patch: 0, engine_version: '0.57.0', engine_fields_checksum: 'f'.repeat(64),
  });
  await out.close();
  await server.close();
});

test('nobody subscribed: the queue fills to outputs_queue.capacity, further alerts are counted drops', async () => {
  const { out } = grpcOutputs(`unix://${path.join(dir, 'q.sock')}`, 'outputs_queue.capacity=10');
  for (let i = 0; i < 25; i++) out.emit(alert(i));
  assert.equal(out.grpcChannel!.queued, 10);
  assert.equal(out.grpcChannel!.stats.dropped.queue_full, 15);
  await out.close();
  assert.equal(out.grpcChannel!.stats.dropped.shutdown, 10);
});

test('TCP requires mutual TLS: a client with a certificate from root_certs gets alerts, one without is refused', async () => {
  const certs = makeCerts();
  const tls = [`grpc.private_key=${certs.file('server.key')}`, `grpc.cert_chain=${certs.file('server.crt')}`, `grpc.root_certs=${certs.file('ca.crt')}`];
  const { out, cfg } = grpcOutputs('127.0.0.1:0', ...tls);
  const server = await startGrpcServer(cfg, out.grpcChannel, VERSIONS);
  assert.match(server.address, /^127\.0\.0\.1:\d+$/);
  out.emit(alert(0));
  const good = falcoClients(server.address, grpc.credentials.createSsl(fs.readFileSync(certs.file('ca.crt')), fs.readFileSync(certs.file('client.key')), fs.readFileSync(certs.file('client.crt'))));
  const anonymous = falcoClients(server.address, grpc.credentials.createSsl(fs.readFileSync(certs.file('ca.crt'))));
  after(() => {
    good.close();
    anonymous.close();
  });
  await assert.rejects(
    new Promise((resolve, reject) => anonymous.version.version({}, (err, res) => (err ? reject(err) : resolve(res)))),
    (e: grpc.ServiceError) => e.code === grpc.status.UNAVAILABLE,
  );
  const got = await new Promise<FalcoResponse[]>((resolve, reject) => {
    const all: FalcoResponse[] = [];
    good.outputs.get({}).on('data', (r: FalcoResponse) => all.push(r)).on('end', () => resolve(all)).on('error', reject);
  });
  assert.equal(got.length, 1);
  assert.equal(got[0].output_fields['ka.user.name'], 'user0');
  await out.close();
  await server.close();
});

test('a network bind_address without the mTLS files is refused at start, naming the key', () => {
  assert.throws(() => grpcServerConfig(config('grpc.enabled=true', 'grpc.bind_address=0.0.0.0:5060')), (e: unknown) => e instanceof ConfigError && /grpc\.private_key: needed for a network bind_address/.test(e.message));
  assert.equal(grpcServerConfig(config()), undefined);
});
