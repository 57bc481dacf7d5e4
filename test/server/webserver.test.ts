// The webserver over real HTTP on loopback: every answer the issue lists, the
// byte budget pausing uploads, and aborted uploads leaving nothing behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { WEBSERVER_DEFAULTS, type Webserver, type WebserverConfig } from '../../src/server/webserver';
import { serveOnThisThread } from './serveOnThisThread';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: Record<string, unknown>;
}

function request(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(text) as Record<string, unknown> });
        } catch {
          reject(new Error(`${method} ${path}: answer is not JSON: ${text}`));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const post = (port: number, body: string, headers: Record<string, string> = JSON_TYPE, path = '/k8s-audit') => request(port, 'POST', path, body, headers);

/** A raw connection, for uploads the http module will not make (partial, oversized, abandoned). */
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

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ev = (id: string, extra: Record<string, unknown> = {}) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete', verb: 'get', requestURI: '/api/v1/pods', ...extra });

function serve(over: Partial<WebserverConfig>, accept: (e: Record<string, unknown>) => void): Webserver {
  return serveOnThisThread({ ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0, ...over }, accept, { vigil: '9.8.7', engine: '0.42.1' });
}

describe('webserver over HTTP', () => {
  const seen: Record<string, unknown>[] = [];
  let server: Webserver;
  let port: number;
  before(() => {
    server = serve({ max_event_size: 600, max_batch_size: 64 * 1024 }, (e) => {
      if (e.auditID === 'boom') throw new Error('evaluation failed on purpose');
      seen.push(e);
    });
    port = server.port;
    assert.ok(port > 0);
  });
  after(() => server.close());

  test('GET /healthz and /versions', async () => {
    const h = await request(port, 'GET', '/healthz');
    assert.equal(h.status, 200);
    assert.deepEqual(h.json, { status: 'ok' });
    assert.match(String(h.headers['content-type']), /application\/json/);
    const v = await request(port, 'GET', '/versions');
    // Falco's keys: engine_version is the minor number, engine_version_semver the whole version
    assert.deepEqual(v.json, { vigil_version: '9.8.7', engine_version: '42', engine_version_semver: '0.42.1' });
  });

  test('an EventList, an array and a single Event all reach the sink in order', async () => {
    seen.length = 0;
    const list = await post(port, JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: [ev('l1'), ev('l2'), ev('l3')] }));
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, { accepted: 3, rejected: 0, dropped_oversize: 0 });
    const arr = await post(port, JSON.stringify([ev('a1'), ev('a2')]), { 'Content-Type': 'application/json; charset=utf-8' }, '/k8s_audit');
    assert.equal(arr.json.accepted, 2);
    const one = await post(port, JSON.stringify(ev('s1')));
    assert.equal(one.json.accepted, 1);
    assert.deepEqual(seen.map((e) => e.auditID), ['l1', 'l2', 'l3', 'a1', 'a2', 's1']);
    assert.deepEqual(seen[0], ev('l1'));
  });

  test('malformed JSON and non-events are 400 with the reason', async () => {
    const bad = await post(port, '{"kind":"EventList","items":[');
    assert.equal(bad.status, 400);
    assert.match(String(bad.json.error), /^malformed JSON: /);
    const pod = await post(port, JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'x' } }));
    assert.equal(pod.status, 400);
    assert.match(String(pod.json.error), /not an audit event: kind is "Pod"/);
    const allBad = await post(port, JSON.stringify({ kind: 'EventList', items: [{ a: 1 }, 'x'] }));
    assert.equal(allBad.status, 400);
    assert.equal(allBad.json.rejected, 2);
    assert.equal(allBad.json.error, 'items[0]: not an audit event: has none of auditID, verb, stage');
    const empty = await post(port, '');
    assert.equal(empty.status, 400);
    assert.match(String(empty.json.error), /empty body/);
  });

  test('a batch with some bad elements keeps the good ones', async () => {
    seen.length = 0;
    const r = await post(port, JSON.stringify([ev('g1'), { nope: true }, ev('g2')]));
    assert.equal(r.status, 200);
    assert.equal(r.json.accepted, 2);
    assert.equal(r.json.rejected, 1);
    assert.deepEqual(r.json.reasons, ['[1]: not an audit event: has none of auditID, verb, stage']);
    assert.deepEqual(seen.map((e) => e.auditID), ['g1', 'g2']);
  });

  test('an event over max_event_size is dropped and counted, the rest processed', async () => {
    seen.length = 0;
    const before = server.stats().events_dropped_oversize;
    const big = ev('big', { requestObject: { data: 'z'.repeat(700) } });
    const r = await post(port, JSON.stringify({ kind: 'EventList', items: [ev('k1'), big, ev('k2')] }));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { accepted: 2, rejected: 0, dropped_oversize: 1 });
    assert.deepEqual(seen.map((e) => e.auditID), ['k1', 'k2']);
    assert.equal(server.stats().events_dropped_oversize, before + 1);
  });

  test('wrong or missing Content-Type is 415', async () => {
    const r = await post(port, JSON.stringify(ev('x')), { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.match(String(r.json.error), /Content-Type must be application\/json, got "text\/plain"/);
    const none = await post(port, JSON.stringify(ev('x')), {});
    assert.equal(none.status, 415);
  });

  test('other methods are 405 with Allow, unknown paths 404', async () => {
    const get = await request(port, 'GET', '/k8s-audit');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    const put = await request(port, 'PUT', '/k8s_audit', '{}', JSON_TYPE);
    assert.equal(put.status, 405);
    const postHealth = await request(port, 'POST', '/healthz', '{}', JSON_TYPE);
    assert.equal(postHealth.status, 405);
    assert.equal(postHealth.headers.allow, 'GET');
    const missing = await request(port, 'GET', '/no/such/thing');
    assert.equal(missing.status, 404);
    assert.match(String(missing.json.error), /no such endpoint: \/no\/such\/thing/);
  });

  test('a declared body over max_batch_size is 413 before any of it is read', async () => {
    const c = await connect(port);
    c.sock.write(`POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 + 1}\r\n\r\n`);
    await c.closed;
    assert.match(c.received(), /^HTTP\/1\.1 413 /);
    assert.match(c.received(), /over webserver\.max_batch_size \(65536\)/);
  });

  test('a chunked body that grows past max_batch_size is cut off with 413', async () => {
    const c = await connect(port);
    c.sock.write('POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'a'.repeat(8192);
    let sent = 0;
    let stop = false;
    void c.closed.then(() => (stop = true));
    // keep sending until the server hangs up: it must not read on
    while (!stop && sent < 4 * 1024 * 1024) {
      c.sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      sent += chunk.length;
      await new Promise((r) => setImmediate(r));
    }
    await c.closed;
    assert.ok(sent < 4 * 1024 * 1024, 'the server kept reading a body far over its limit');
    assert.match(c.received(), /^HTTP\/1\.1 413 /);
    assert.equal(server.stats().bytes_reserved, 0);
  });

  test('an event whose evaluation throws is counted; the batch still answers', async () => {
    const r = await post(port, JSON.stringify([ev('ok1'), ev('boom'), ev('ok2')]));
    assert.equal(r.status, 200);
    assert.equal(r.json.accepted, 2);
    assert.equal(r.json.failed, 1);
    assert.equal(r.json.first_error, 'evaluation failed on purpose');
  });

  test('a client that aborts mid-body leaves nothing reserved; the server goes on', async () => {
    const before = server.stats().aborted;
    const c = await connect(port);
    c.sock.write('POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"kind":"EventList","items":[');
    await until('the upload to start', () => server.stats().bytes_reserved === 5000);
    c.sock.destroy();
    await until('the abort to be seen', () => server.stats().aborted === before + 1);
    assert.equal(server.stats().bytes_reserved, 0);
    const h = await request(port, 'GET', '/healthz');
    assert.equal(h.status, 200);
  });

  test('a client that leaves while its batch is evaluated: the bytes stay reserved until the evaluation ends', async () => {
    const slowEvents = 250;
    let release = false;
    const slow = serve({ max_event_size: 600, max_batch_size: 64 * 1024 }, () => {
      // each event takes 2 ms, so the batch spans many turns of the event loop
      const end = performance.now() + 2;
      while (performance.now() < end && !release);
    });
    try {
      const body = JSON.stringify(Array.from({ length: slowEvents }, (_, i) => ev(`slow${i}`)));
      const c = await connect(slow.port);
      c.sock.write(`POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await until('the batch to be queued', () => slow.stats().pending_batches === 1);
      c.sock.destroy();
      await until('the abort to be seen', () => slow.stats().aborted === 1);
      // the events are still held by the queue: so are their bytes
      assert.equal(slow.stats().pending_batches, 1);
      assert.equal(slow.stats().bytes_reserved, Buffer.byteLength(body));
      await until('the evaluation to end', () => slow.stats().pending_batches === 0);
      assert.equal(slow.stats().bytes_reserved, 0);
    } finally {
      release = true;
      slow.close();
    }
  });

  test('counters add up', () => {
    const s = server.stats();
    assert.ok(s.status_400 >= 4 && s.status_404 >= 1 && s.status_405 >= 3 && s.status_413 >= 2 && s.status_415 >= 2, JSON.stringify(s));
    assert.equal(s.pending_batches, 0);
    assert.equal(s.waiting_for_budget, 0);
  });
});

describe('webserver memory budget', () => {
  test('uploads past the budget wait, paused, until earlier bodies are done', async () => {
    const seen: string[] = [];
    const server = serve({ max_batch_size: 1000, max_event_size: 1000 }, (e) => void seen.push(String(e.auditID)));
    try {
      // 4 x max_batch_size may be held at once; the fifth upload must wait
      const body = (id: string) => JSON.stringify([ev(id)]).padEnd(1000, ' ');
      const conns: Awaited<ReturnType<typeof connect>>[] = [];
      for (let i = 0; i < 5; i++) {
        const c = await connect(server.port);
        c.sock.write(`POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
        // the fifth sends all of its body: it must still wait for its turn
        c.sock.write(i < 4 ? body(`b${i}`).slice(0, 10) : body('b4'));
        conns.push(c);
        await until(`upload ${i} to be seen`, () => server.stats().bytes_reserved + server.stats().waiting_for_budget * 1000 === (i + 1) * 1000);
      }
      assert.equal(server.stats().bytes_reserved, 4000);
      assert.equal(server.stats().waiting_for_budget, 1);
      assert.equal(server.stats().budget_waits, 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(conns[4].received(), '');
      assert.deepEqual(seen, []);
      // finishing the first frees room for the fifth
      conns[0].sock.write(body('b0').slice(10));
      await until('the first answer', () => conns[0].received().includes('\r\n\r\n{'));
      assert.match(conns[0].received(), /^HTTP\/1\.1 200 /);
      await until('the fifth to be admitted', () => server.stats().waiting_for_budget === 0);
      await until('the fifth answer', () => /\r\n\r\n\{.*\}$/.test(conns[4].received()));
      assert.deepEqual(seen, ['b0', 'b4']);
      // the fifth's connection was paused while it waited: its next request must be read
      const next = JSON.stringify([ev('b5')]);
      conns[4].sock.write(`POST /k8s-audit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${next.length}\r\n\r\n${next}`);
      await until('the answer to the fifth connection\'s second request', () => conns[4].received().split('HTTP/1.1 200 OK').length === 3);
      assert.deepEqual(seen, ['b0', 'b4', 'b5']);
      for (let i = 1; i < 4; i++) conns[i].sock.write(body(`b${i}`).slice(10));
      for (let i = 1; i < 5; i++) await until(`answer ${i}`, () => /\r\n\r\n\{.*\}$/.test(conns[i].received()));
      for (const c of conns) assert.match(c.received(), /^HTTP\/1\.1 200 OK/);
      assert.deepEqual(seen.sort(), ['b0', 'b1', 'b2', 'b3', 'b4', 'b5']);
      assert.equal(server.stats().bytes_reserved, 0);
      assert.equal(server.stats().peak_bytes_reserved, 4000);
      for (const c of conns) c.sock.destroy();
    } finally {
      server.close();
    }
  });
});

describe('webserver start-up', () => {
  test('a port in use is a clear error', () => {
    const first = serve({}, () => undefined);
    try {
      assert.throws(() => serve({ listen_port: first.port }, () => undefined), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.port}`));
    } finally {
      first.close();
    }
  });

  test('bad configuration names the key', () => {
    assert.throws(() => serve({ listen_port: 70000 }, () => undefined), /webserver\.listen_port must be an integer from 0 to 65535, got 70000/);
    assert.throws(() => serve({ max_event_size: -1 }, () => undefined), /webserver\.max_event_size must be a positive integer/);
    assert.throws(() => serve({ k8s_audit_endpoint: 'k8s' }, () => undefined), /webserver\.k8s_audit_endpoint must be a path/);
    assert.throws(() => serve({ listen_port: '8765' as unknown as number }, () => undefined), /listen_port must be an integer.*got "8765"/);
    assert.throws(() => serve({ ssl_enabled: true, ssl_certificate: '/nonexistent/vigil.pem' }, () => undefined), /webserver\.ssl_certificate: cannot read \/nonexistent\/vigil\.pem/);
  });

  test('a custom endpoint replaces the default paths; close is idempotent and stops listening', async () => {
    const server = serve({ k8s_audit_endpoint: '/audit', k8s_healthz_endpoint: '/live' }, () => undefined);
    const port = server.port;
    assert.equal((await post(port, JSON.stringify(ev('x')), JSON_TYPE, '/audit')).status, 200);
    assert.equal((await post(port, JSON.stringify(ev('x')), JSON_TYPE, '/k8s-audit')).status, 404);
    assert.equal((await request(port, 'GET', '/live')).status, 200);
    assert.equal((await request(port, 'GET', '/healthz')).status, 404);
    server.close();
    server.close();
    await assert.rejects(request(port, 'GET', '/live'), /ECONNREFUSED/);
  });
});

describe('webserver with big batches', () => {
  test('a batch of many events with one over max_event_size: it is dropped by its UTF-8 size, the rest evaluated in order', async () => {
    const seen: unknown[] = [];
    const server = serve({ max_event_size: 2000 }, (e) => void seen.push(e.auditID));
    try {
      const items: unknown[] = [];
      // é is 2 bytes: 'big' is under 2000 UTF-16 units but over 2000 bytes
      for (let i = 0; i < 120; i++) items.push(ev(`e${i}`, { note: i === 57 ? 'é'.repeat(1100) : 'é'.repeat(300) }));
      (items[57] as { auditID: string }).auditID = 'big';
      const body = JSON.stringify({ kind: 'EventList', items });
      assert.ok(Buffer.byteLength(body) > 64 * 1024);
      const r = await post(server.port, body);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { accepted: 119, rejected: 0, dropped_oversize: 1 });
      assert.deepEqual(seen, items.map((e) => (e as { auditID: string }).auditID).filter((id) => id !== 'big'));
      const st = server.stats();
      assert.equal(st.events_dropped_oversize, 1);
      assert.equal(st.bytes_reserved, 0);
      assert.equal((await request(server.port, 'GET', '/healthz')).status, 200);
    } finally {
      server.close();
    }
  });
});
