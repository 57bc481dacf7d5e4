// The webserver's intake under abuse and at shutdown, over real HTTP on
// loopback: small requests served while big ones trickle, slow bodies timed
// out with 408, budget waits answered 503 with Retry-After instead of a reset,
// header checks, the built-in alert for a dropped event, and the drain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { INTAKE_LIMITS, type IntakeLimits, startWebserver, WEBSERVER_DEFAULTS, type Webserver, type WebserverConfig } from '../../src/server/webserver';
import type { AlertData } from '../../src/evaluation/ruleAlert';
import { MainThreadEvaluation } from '../../src/server/mainThreadEvaluation';
import { DROPPED_EVENT_RULE } from '../../src/server/droppedEventAlert';

function connect(port: number): Promise<{ sock: net.Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    sock.on('data', (c) => (data += c.toString('latin1')));
    sock.on('error', () => undefined);
    const closed = new Promise<void>((r) => sock.on('close', () => r()));
    sock.once('connect', () => resolve({ sock, received: () => data, closed }));
    sock.once('error', reject);
  });
}

async function until(what: string, cond: () => boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ev = (id: string, extra: Record<string, unknown> = {}) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete', verb: 'get', ...extra });

function serve(over: Partial<WebserverConfig>, accept: (e: Record<string, unknown>) => void, limits: Partial<IntakeLimits> = {}, alerts: AlertData[] = [], logs: string[] = []): Webserver {
  return startWebserver(
    { ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0, threadiness: -1, ...over },
    new MainThreadEvaluation({ accept, alert: (a) => void alerts.push(a) }),
    { vigil: 't', engine: 't' },
    { log: (m) => void logs.push(m), limits: { ...INTAKE_LIMITS, ...limits } },
  );
}

const head = (len: number | string, type = 'application/json') => `POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${len}\r\n\r\n`;
/** the status line of each answer on a connection */
const statuses = (text: string) => [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));

test('a small valid request is answered while big bodies trickle in and hold the whole budget', async () => {
  const seen: string[] = [];
  const logs: string[] = [];
  const max = 64 * 1024;
  const server = serve({ max_batch_size: max }, (e) => void seen.push(String(e.auditID)), {}, [], logs);
  const conns: Awaited<ReturnType<typeof connect>>[] = [];
  try {
    // five big uploads: four hold the budget (4 x max_batch_size) trickling, the fifth waits
    for (let i = 0; i < 5; i++) {
      const c = await connect(server.port);
      c.sock.write(head(max) + ' '.repeat(10));
      conns.push(c);
    }
    await until('the budget to be held', () => server.stats().bytes_reserved === 4 * max && server.stats().waiting_for_budget === 1);
    const small = await connect(server.port);
    const body = JSON.stringify(ev('small'));
    small.sock.write(head(Buffer.byteLength(body)) + body);
    await until('the small answer', () => /\r\n\r\n\{.*\}$/.test(small.received()));
    assert.deepEqual(statuses(small.received()), [200]);
    assert.deepEqual(seen, ['small']);
    // the big ones are still unanswered
    for (const c of conns) assert.equal(c.received(), '');
    small.sock.destroy();
  } finally {
    for (const c of conns) c.sock.destroy();
    server.close();
  }
});

test('a body slower than the minimum rate is answered 408 and its budget freed; the wait is logged and counted', async () => {
  const logs: string[] = [];
  const server = serve({ max_batch_size: 64 * 1024 }, () => undefined, { bodyGraceMs: 200, minBodyRate: 1024 * 1024 }, [], logs);
  try {
    const c = await connect(server.port);
    c.sock.write(head(4000) + '[');
    const timer = setInterval(() => c.sock.write(' '), 50);
    await until('the 408', () => /\r\n\r\n\{.*\}$/.test(c.received()));
    clearInterval(timer);
    assert.deepEqual(statuses(c.received()), [408]);
    assert.match(c.received(), /body too slow/);
    await c.closed;
    const s = server.stats();
    assert.equal(s.status_408, 1);
    assert.equal(s.bytes_reserved, 0);
    assert.equal(s.in_flight, 0);
    assert.ok(logs.some((l) => /request body too slow: \d+ of 4000 bytes/.test(l)), logs.join('\n'));
  } finally {
    server.close();
  }
});

test('a request that waits too long for the budget is answered 503 with Retry-After and Connection: close, not reset', async () => {
  const logs: string[] = [];
  const max = 1000;
  const server = serve({ max_batch_size: max }, () => undefined, { budgetWaitMs: 200 }, [], logs);
  const conns: Awaited<ReturnType<typeof connect>>[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const c = await connect(server.port);
      c.sock.write(head(max) + ' ');
      conns.push(c);
    }
    await until('the budget to be held', () => server.stats().bytes_reserved === 4 * max);
    const late = await connect(server.port);
    const body = JSON.stringify([ev('late')]).padEnd(max, ' ');
    late.sock.write(head(max) + body);
    await until('the 503', () => /\r\n\r\n\{.*\}$/.test(late.received()));
    assert.deepEqual(statuses(late.received()), [503]);
    assert.match(late.received(), /\r\nRetry-After: 1\r\n/i);
    await late.closed;
    assert.equal(server.stats().status_503, 1);
    assert.equal(server.stats().waiting_for_budget, 0);
    assert.ok(logs.some((l) => /request answered 503: waited 200 ms for the body budget/.test(l)), logs.join('\n'));
  } finally {
    for (const c of conns) c.sock.destroy();
    server.close();
  }
});

test('two different Content-Length headers, Content-Length with Transfer-Encoding, and media types that only start with application/json are refused', async () => {
  const server = serve({}, () => undefined);
  try {
    const body = JSON.stringify(ev('x'));
    const n = Buffer.byteLength(body);
    const two = await connect(server.port);
    two.sock.write(`POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\nContent-Length: ${n + 5}\r\n\r\n${body}`);
    await until('the answer to two lengths', () => /\r\n\r\n\{.*\}$/.test(two.received()));
    assert.deepEqual(statuses(two.received()), [400]);
    assert.match(two.received(), /conflicting Content-Length headers/);

    const foo = await connect(server.port);
    foo.sock.write(head(n, 'application/jsonfoo') + body);
    await until('the answer to jsonfoo', () => /\r\n\r\n\{.*\}$/.test(foo.received()));
    assert.deepEqual(statuses(foo.received()), [415]);

    const ok = await connect(server.port);
    ok.sock.write(head(n, 'Application/JSON ; charset=utf-8') + body);
    await until('the answer with charset', () => /\r\n\r\n\{.*\}$/.test(ok.received()));
    assert.deepEqual(statuses(ok.received()), [200]);
    for (const c of [two, foo, ok]) c.sock.destroy();
  } finally {
    server.close();
  }
});

test('an event over max_event_size raises the built-in alert naming its user, verb and object; the rest of the batch is evaluated', async () => {
  const seen: string[] = [];
  const alerts: AlertData[] = [];
  const server = serve({ max_event_size: 2000 }, (e) => void seen.push(String(e.auditID)), {}, alerts);
  try {
    const big = ev('big', { verb: 'create', user: { username: 'mallory\nfake' }, objectRef: { resource: 'pods', namespace: 'default', name: 'evil' }, pad: 'x'.repeat(3000) });
    const body = JSON.stringify({ kind: 'EventList', items: [ev('a'), big, ev('b')] });
    const c = await connect(server.port);
    c.sock.write(head(Buffer.byteLength(body)) + body);
    await until('the answer', () => /\r\n\r\n\{.*\}$/.test(c.received()));
    assert.match(c.received(), /"accepted":2,"rejected":0,"dropped_oversize":1/);
    assert.deepEqual(seen, ['a', 'b']);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].rule, DROPPED_EVENT_RULE);
    assert.equal(alerts[0].message, 'Audit event over webserver.max_event_size (2000 bytes) dropped without evaluation (user=mallory\\nfake verb=create object=pods default/evil auditID=big)');
    assert.deepEqual(alerts[0].fields, { 'ka.user.name': 'mallory\nfake', 'ka.verb': 'create', 'ka.target.resource': 'pods', 'ka.target.namespace': 'default', 'ka.target.name': 'evil', 'ka.auditid': 'big' });
    c.sock.destroy();
  } finally {
    server.close();
  }
});

test('drain: the request in flight is evaluated and answered 200 with Connection: close, a new one on a kept-alive connection gets 503, then every connection closes', async () => {
  const seen: string[] = [];
  const server = serve({}, (e) => {
    seen.push(String(e.auditID));
    // the first event holds evaluation until the test lets it go
  });
  const idle = await connect(server.port);
  const busy = await connect(server.port);
  try {
    // a kept-alive connection with one answered request
    const first = JSON.stringify(ev('first'));
    idle.sock.write(head(Buffer.byteLength(first)) + first);
    await until('the first answer', () => statuses(idle.received()).length === 1);
    // a request whose body is still arriving when the drain begins
    const body = JSON.stringify(ev('inflight'));
    busy.sock.write(head(Buffer.byteLength(body)) + body.slice(0, 10));
    await until('the request to be in flight', () => server.stats().in_flight === 1);
    const drained = server.drain(10_000);
    const late = JSON.stringify(ev('late'));
    idle.sock.write(head(Buffer.byteLength(late)) + late);
    await until('the 503 on the idle connection', () => statuses(idle.received()).length === 2);
    assert.deepEqual(statuses(idle.received()), [200, 503]);
    assert.match(idle.received().slice(idle.received().lastIndexOf('HTTP/1.1')), /Retry-After: 1\r\n[\s\S]*\r\n\r\n\{"error":"the agent is stopping; retry"\}$/i);
    busy.sock.write(body.slice(10));
    await drained;
    await busy.closed;
    assert.deepEqual(statuses(busy.received()), [200], busy.received());
    assert.match(busy.received(), /\r\nConnection: close\r\n/i);
    assert.deepEqual(seen, ['first', 'inflight']);
    await Promise.all([idle.closed, busy.closed]);
    assert.equal(server.stats().in_flight, 0);
  } finally {
    idle.sock.destroy();
    busy.sock.destroy();
    server.close();
  }
});

test('with the default max_event_size a 282 KB event (a privileged pod with a big annotation) is evaluated, not dropped', async () => {
  const seen: string[] = [];
  const alerts: AlertData[] = [];
  const server = serve({}, (e) => void seen.push(String(e.auditID)), {}, alerts);
  try {
    const big = ev('padded', { verb: 'create', objectRef: { resource: 'pods', namespace: 'default', name: 'priv' }, requestObject: { metadata: { annotations: { pad: 'x'.repeat(282 * 1024) } }, spec: { containers: [{ securityContext: { privileged: true } }] } } });
    const body = JSON.stringify(big);
    const c = await connect(server.port);
    c.sock.write(head(Buffer.byteLength(body)) + body);
    await until('the answer', () => /\r\n\r\n\{.*\}$/.test(c.received()));
    assert.match(c.received(), /"accepted":1,"rejected":0,"dropped_oversize":0/);
    assert.deepEqual(seen, ['padded']);
    assert.deepEqual(alerts, []);
    c.sock.destroy();
  } finally {
    server.close();
  }
});
