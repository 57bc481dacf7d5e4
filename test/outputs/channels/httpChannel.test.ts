// http_output against real servers on loopback: plain HTTP, HTTPS verified by
// ca_cert, mutual TLS, a refused client certificate, retries on 503, a slow
// receiver (detection is not held up, the overflow is counted), and what
// close() delivers.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config';
import { Outputs } from '../../../src/outputs/outputs';
import { alert, collectLog, config } from './alerts';
import { makeCerts } from './certs';
import { startReceiver } from './receiver';

const certs = makeCerts();

test('plain HTTP: every alert is one POST of Falco JSON with Falco headers, in order', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  const out = new Outputs(config('json_output=true', 'http_output.enabled=true', `http_output.url=${rx.url}`), collectLog());
  for (let i = 0; i < 50; i++) out.emit(alert(i));
  await rx.waitFor(50);
  await out.close();
  const http = out.channels.find((c) => c.name === 'http')!;
  assert.equal(http.stats.sent, 50);
  assert.equal(http.stats.droppedTotal, 0);
  const first = JSON.parse(rx.received[0].body);
  assert.equal(first.rule, 'Test Rule');
  assert.equal(first.priority, 'Warning');
  assert.equal(first.output_fields['ka.user.name'], 'user0');
  assert.equal(rx.received[0].headers['content-type'], 'application/json');
  assert.equal(rx.received[0].headers['user-agent'], 'falcosecurity/falco');
  // without keep_alive one request at a time: arrival order is emit order
  assert.deepEqual(
    rx.received.map((r) => JSON.parse(r.body).output_fields['ka.user.name']),
    Array.from({ length: 50 }, (_, i) => `user${i}`),
  );
});

test('text output is posted as text/plain; user_agent and compress_uploads apply', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  const out = new Outputs(
    config('http_output.enabled=true', `http_output.url="${rx.url}"`, 'http_output.user_agent=vigil-test', 'http_output.compress_uploads=true', 'http_output.keep_alive=true'),
    collectLog(),
  );
  out.emit(alert(7));
  await rx.waitFor(1);
  await out.close();
  assert.equal(rx.received[0].headers['content-type'], 'text/plain');
  assert.equal(rx.received[0].headers['user-agent'], 'vigil-test');
  assert.equal(rx.received[0].headers['content-encoding'], 'gzip');
  assert.match(rx.received[0].body, /: Warning alert number 7$/);
});

test('HTTPS verified with ca_cert, and mutual TLS with client_cert/client_key, with and without keep_alive', async () => {
  const rx = await startReceiver({ key: certs.read('server.key'), cert: certs.read('server.crt'), ca: certs.read('ca.crt'), requestCert: true, rejectUnauthorized: true });
  after(() => rx.close());
  for (const keepAlive of [false, true]) {
    const out = new Outputs(
      config(
        'http_output.enabled=true',
        `http_output.url=${rx.url}`,
        `http_output.keep_alive=${keepAlive}`,
        `http_output.ca_cert=${certs.file('ca.crt')}`,
        'http_output.mtls=true',
        `http_output.client_cert=${certs.file('client.crt')}`,
        `http_output.client_key=${certs.file('client.key')}`,
      ),
      collectLog(),
    );
    for (let i = 0; i < 50; i++) out.emit(alert(i));
    await out.close();
    assert.equal(out.channels[0].stats.sent, 50, `keep_alive ${keepAlive}`);
  }
  assert.equal(rx.received.length, 100);
  assert.ok(rx.received.every((r) => r.clientCertCN === 'vigil client'));
});

test('TLS failures are counted drops, not retried forever: untrusted server, refused client certificate', async () => {
  const rx = await startReceiver({ key: certs.read('server.key'), cert: certs.read('server.crt'), ca: certs.read('ca.crt'), requestCert: true, rejectUnauthorized: true });
  after(() => rx.close());
  // the server's CA is not the one given
  const l1 = collectLog();
  const untrusted = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, `http_output.ca_cert=${certs.file('rogue-ca.crt')}`), l1);
  untrusted.emit(alert(1));
  await untrusted.close();
  const h1 = untrusted.channels[0];
  assert.equal(h1.stats.sent, 0);
  assert.equal(h1.stats.dropped.failed, 1);
  assert.ok(l1.lines.some((l) => /http output: 1 alert\(s\) dropped so far because delivery failed/.test(l)), l1.lines.join('\n'));
  // the server does not trust the client certificate
  const stranger = new Outputs(
    config('http_output.enabled=true', `http_output.url=${rx.url}`, `http_output.ca_cert=${certs.file('ca.crt')}`, 'http_output.mtls=true', `http_output.client_cert=${certs.file('stranger.crt')}`, `http_output.client_key=${certs.file('stranger.key')}`, 'http_output.max_consecutive_timeouts=1'),
    collectLog(),
  );
  stranger.emit(alert(2));
  await stranger.close();
  assert.equal(stranger.channels[0].stats.sent, 0);
  assert.equal(stranger.channels[0].stats.dropped.failed, 1);
  // insecure skips verification
  const insecure = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'http_output.insecure=true', 'http_output.mtls=true', `http_output.client_cert=${certs.file('client.crt')}`, `http_output.client_key=${certs.file('client.key')}`), collectLog());
  insecure.emit(alert(3));
  await rx.waitFor(1);
  await insecure.close();
  assert.equal(insecure.channels[0].stats.sent, 1);
  assert.equal(rx.received.length, 1);
});

test('a 503 is retried with backoff and then delivered; past max_consecutive_timeouts the alert is a counted drop', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  rx.statuses.push(503, 503);
  const out = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'http_output.max_consecutive_timeouts=3'), collectLog());
  out.emit(alert(1));
  await rx.waitFor(1);
  await out.close();
  assert.equal(out.channels[0].stats.sent, 1);
  rx.statuses.push(503, 503, 503);
  const l = collectLog();
  const giveUp = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'http_output.max_consecutive_timeouts=2'), l);
  giveUp.emit(alert(2));
  await giveUp.close();
  assert.equal(giveUp.channels[0].stats.dropped.failed, 1);
  assert.ok(l.lines.some((x) => /answered 503 \(gave up after 3 attempt\(s\)\)/.test(x)), l.lines.join('\n'));
  // a 4xx other than 429 is not retried
  rx.statuses.push(400);
  const bad = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`), collectLog());
  bad.emit(alert(3));
  await bad.close();
  assert.equal(bad.channels[0].stats.dropped.failed, 1);
  assert.deepEqual(rx.statuses, []);
});

test('keep_alive: POSTs are pipelined on at most 4 connections, many sent before the first answer', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  rx.delayMs = 1000;
  const out = new Outputs(config('http_output.enabled=true', 'http_output.keep_alive=true', `http_output.url=${rx.url}`, 'output_timeout=10000'), collectLog());
  for (let i = 0; i < 200; i++) out.emit(alert(i));
  await new Promise((r) => setTimeout(r, 300));
  // no answer yet: what arrived was sent without waiting for one
  assert.equal(rx.received.length, 0);
  assert.ok(rx.arrived > 4, `${rx.arrived} requests arrived`);
  await rx.waitFor(200);
  await out.close();
  assert.equal(out.channels[0].stats.sent, 200);
  assert.ok(rx.connections >= 1 && rx.connections <= 4, `${rx.connections} connections`);
});

test('keep_alive: a batch of pipelined POSTs where some are refused and some retried: each refused alert is one counted drop, every other one is sent once', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  // a 400 is not retried; a 503 is, and no alert meets more than two of them
  rx.statuses.push(400, 503, 400, 503, 400);
  const l = collectLog();
  const out = new Outputs(config('json_output=true', 'http_output.enabled=true', 'http_output.keep_alive=true', `http_output.url=${rx.url}`, 'http_output.max_consecutive_timeouts=3'), l);
  const N = 200;
  for (let i = 0; i < N; i++) out.emit(alert(i));
  await rx.waitFor(N - 3);
  await out.close();
  const http = out.channels[0];
  assert.deepEqual(rx.statuses, []);
  assert.equal(http.stats.sent, N - 3);
  assert.equal(http.stats.dropped.failed, 3);
  assert.equal(http.stats.droppedTotal, 3);
  assert.equal(rx.received.length, N - 3);
  assert.equal(new Set(rx.received.map((r) => JSON.parse(r.body).output_fields.n)).size, N - 3);
  assert.ok(l.lines.some((x) => /http output: \d alert\(s\) dropped so far because delivery failed: http:\/\/127\.0\.0\.1:\d+\/falco answered 400$/.test(x)), l.lines.join('\n'));
});

test('at close, an alert waiting out its backoff is given up at once: counted as dropped at shutdown, never posted again', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  rx.statuses.push(...Array<number>(20).fill(503));
  const out = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'http_output.max_consecutive_timeouts=20', 'output_timeout=400'), collectLog());
  out.emit(alert(1));
  const t0 = performance.now();
  await out.close();
  const closeMs = performance.now() - t0;
  const http = out.channels[0];
  assert.equal(http.stats.sent, 0);
  assert.equal(http.stats.dropped.shutdown, 1);
  assert.equal(http.stats.dropped.failed, 0);
  // the backoff had reached 400 ms and more; close waited output_timeout, not for it
  assert.ok(closeMs < 1000, `close took ${closeMs} ms`);
  const left = rx.statuses.length;
  assert.ok(left < 20 && left > 10, `${20 - left} attempts`);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(rx.statuses.length, left);
});

test('a slow receiver never holds up emit(): the queue fills, the overflow is counted and logged, close() delivers what was queued', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  rx.delayMs = 10;
  const l = collectLog();
  const out = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'outputs_queue.capacity=40', 'output_timeout=10000'), l);
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) out.emit(alert(i));
  const emitMs = performance.now() - t0;
  // 1000 alerts at 10 ms each would take 10 s if emit waited for the receiver
  assert.ok(emitMs < 2000, `emit took ${emitMs} ms`);
  const http = out.channels[0];
  assert.equal(http.stats.dropped.queue_full, 960);
  assert.ok(l.lines.some((x) => /http output: 100 alert\(s\) dropped so far because its queue is full/.test(x)), l.lines.join('\n'));
  await out.close();
  assert.equal(http.stats.sent, 40);
  assert.equal(rx.received.length, 40);
  assert.equal(JSON.stringify(rx.received.map((r) => r.body.match(/alert number (\d+)/)![1])), JSON.stringify(Array.from({ length: 40 }, (_, i) => String(i))));
});

test('output_timeout: a delivery slower than it is counted and logged, and still delivered', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  rx.delayMs = 400;
  const l = collectLog();
  const out = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'output_timeout=100'), l);
  out.emit(alert(1));
  await rx.waitFor(1);
  await out.close();
  const http = out.channels[0];
  assert.equal(http.stats.timeouts, 1);
  assert.equal(http.stats.sent, 1);
  assert.ok(l.lines.some((x) => /took longer than output_timeout \(100 ms\)/.test(x)), l.lines.join('\n'));
});

test('at close, what output_timeout does not let through is counted as dropped at shutdown', async () => {
  const rx = await startReceiver();
  after(() => rx.close());
  rx.delayMs = 300;
  const l = collectLog();
  const out = new Outputs(config('http_output.enabled=true', `http_output.url=${rx.url}`, 'output_timeout=500'), l);
  for (let i = 0; i < 10; i++) out.emit(alert(i));
  await out.close();
  const http = out.channels[0];
  assert.ok(http.stats.sent >= 1 && http.stats.sent <= 2, `sent ${http.stats.sent}`);
  assert.equal(http.stats.sent + http.stats.dropped.shutdown, 10);
  assert.ok(l.lines.some((x) => /still queued when the exit timeout ran out/.test(x)), l.lines.join('\n'));
});

test('bad http_output settings are refused at start, naming the key', () => {
  assert.throws(() => new Outputs(config('http_output.enabled=true')), (e: unknown) => e instanceof ConfigError && /http_output\.url: empty/.test(e.message));
  assert.throws(() => new Outputs(config('http_output.enabled=true', 'http_output.url=ftp://x/')), /http_output\.url: 'ftp:\/\/x\/' is not http/);
  assert.throws(() => new Outputs(config('http_output.enabled=true', 'http_output.url=https://127.0.0.1:1/', 'http_output.ca_cert=/nonexistent/ca.pem')), /http_output\.ca_cert: cannot read \/nonexistent\/ca\.pem/);
  assert.throws(() => new Outputs(config('http_output.enabled=true', 'http_output.url=http://127.0.0.1:1/', 'http_output.max_consecutive_timeouts=-1')), /max_consecutive_timeouts: -1 is outside 0\.\.255/);
  assert.throws(() => new Outputs(config('outputs_queue.capacity=-5')), /outputs_queue\.capacity: -5 is outside/);
});
