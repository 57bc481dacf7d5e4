// HTTPS and mutual TLS, with certificates made here by the openssl CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { WEBSERVER_DEFAULTS, type Webserver, type WebserverConfig } from '../../src/server/webserver';
import { serveOnThisThread } from './serveOnThisThread';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tls-'));
const file = (name: string) => path.join(dir, name);
const read = (name: string) => fs.readFileSync(file(name));

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed certificate (a CA when `ca`), key in NAME.key, certificate in NAME.crt. */
function selfSigned(name: string, cn: string): void {
  openssl('req', '-x509', ...KEY, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1');
}

/** A certificate for NAME signed by CA. */
function signedBy(ca: string, name: string, cn: string): void {
  openssl('req', ...KEY, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
  openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2');
}

/** The one PEM webserver.ssl_certificate wants: key then certificate. */
function combined(name: string): string {
  fs.writeFileSync(file(`${name}.pem`), Buffer.concat([read(`${name}.key`), read(`${name}.crt`)]));
  return file(`${name}.pem`);
}

interface Reply {
  status: number;
  body: string;
}

function get(port: number, p: string, tls: https.RequestOptions | undefined): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port, path: p, agent: false as const, timeout: 5000, ...tls };
    const req = (tls ? https : http).request(opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function serve(over: Partial<WebserverConfig>): Webserver {
  return serveOnThisThread({ ...WEBSERVER_DEFAULTS, listen_address: '127.0.0.1', listen_port: 0, ...over }, () => undefined);
}

before(() => {
  selfSigned('server', '127.0.0.1');
  selfSigned('ca', 'vigil test CA');
  signedBy('ca', 'client', 'kube-apiserver');
  selfSigned('otherca', 'someone else');
  signedBy('otherca', 'stranger', 'kube-apiserver');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('HTTPS with a self-signed certificate', () => {
  let server: Webserver;
  before(() => {
    server = serve({ ssl_enabled: true, ssl_certificate: combined('server') });
  });
  after(() => server.close());

  test('answers over TLS', async () => {
    const r = await get(server.port, '/healthz', { ca: read('server.crt') });
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"status":"ok"}');
  });

  test('plain HTTP to the TLS port fails cleanly, and TLS still works after', async () => {
    await assert.rejects(get(server.port, '/healthz', undefined), (e: Error) => /ECONNRESET|socket hang up|Parse Error|timed out/.test(e.message));
    const r = await get(server.port, '/healthz', { ca: read('server.crt') });
    assert.equal(r.status, 200);
  });

  test('a client that does not trust the certificate is refused', async () => {
    await assert.rejects(get(server.port, '/healthz', {}), /self-signed certificate/);
  });
});

describe('mutual TLS (ssl_verify_client)', () => {
  let server: Webserver;
  before(async () => {
    server = serve({ ssl_enabled: true, ssl_certificate: combined('server'), ssl_ca: file('ca.crt'), ssl_verify_client: true });
    await server.ready;
  });
  after(() => server.close());

  test('a client certificate signed by ssl_ca is accepted', async () => {
    const r = await get(server.port, '/healthz', { ca: read('server.crt'), cert: read('client.crt'), key: read('client.key') });
    assert.equal(r.status, 200);
    const body = JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: 'm1', verb: 'get', stage: 'ResponseComplete' });
    const posted = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: server.port, method: 'POST', path: '/k8s-audit', agent: false, ca: read('server.crt'), cert: read('client.crt'), key: read('client.key'), headers: { 'Content-Type': 'application/json' } },
        (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(posted, 200);
    assert.equal(server.stats().events_accepted, 1);
  });

  test('a client without a certificate is refused', async () => {
    await assert.rejects(get(server.port, '/healthz', { ca: read('server.crt') }));
  });

  test('a client certificate from another CA is refused', async () => {
    await assert.rejects(get(server.port, '/healthz', { ca: read('server.crt'), cert: read('stranger.crt'), key: read('stranger.key') }));
  });

  test('a port in use is a clear error here too', () => {
    assert.throws(() => serve({ listen_port: server.port, ssl_enabled: true, ssl_certificate: combined('server'), ssl_ca: file('ca.crt'), ssl_verify_client: true }), /cannot listen on 127\.0\.0\.1:\d+/);
  });

  test('without ssl_verify_client, ssl_ca is not enforced', async () => {
    const loose = serve({ ssl_enabled: true, ssl_certificate: combined('server'), ssl_ca: file('ca.crt'), ssl_verify_client: false });
    try {
      const r = await get(loose.port, '/healthz', { ca: read('server.crt') });
      assert.equal(r.status, 200);
    } finally {
      loose.close();
    }
  });
});

describe('TLS configuration errors', () => {
  test('a PEM without a key, or a key that is not the certificate\'s, is a clear error', () => {
    assert.throws(() => serve({ ssl_enabled: true, ssl_certificate: file('server.crt') }), /webserver\.ssl_certificate: .*server\.crt holds no PEM PRIVATE KEY/);
    fs.writeFileSync(file('mismatch.pem'), Buffer.concat([read('client.key'), read('server.crt')]));
    assert.throws(() => serve({ ssl_enabled: true, ssl_certificate: file('mismatch.pem') }), /webserver: TLS setup failed with ssl_certificate=.*mismatch\.pem/);
    assert.throws(() => serve({ ssl_enabled: true, ssl_certificate: combined('server'), ssl_verify_client: true }), /webserver\.ssl_ca must be a CA file/);
  });
});
