// Certificates for the TLS tests, made by the openssl CLI in a temporary
// directory: a CA, a server certificate for 127.0.0.1 signed by it, a client
// certificate signed by it, and a client certificate no one trusts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Certs {
  dir: string;
  file(name: string): string;
  read(name: string): string;
}

export function makeCerts(): Certs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-certs-'));
  const file = (n: string): string => path.join(dir, n);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...KEY, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=vigil test CA');
  const signed = (name: string, cn: string, ca = 'ca', san = ''): void => {
    openssl('req', ...KEY, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    const ext = file(`${name}.ext`);
    fs.writeFileSync(ext, san ? `subjectAltName=${san}\n` : 'basicConstraints=CA:FALSE\n');
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.crt`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', ext);
  };
  signed('server', 'localhost', 'ca', 'IP:127.0.0.1,DNS:localhost');
  signed('client', 'vigil client');
  openssl('req', '-x509', ...KEY, '-keyout', file('rogue-ca.key'), '-out', file('rogue-ca.crt'), '-days', '2', '-subj', '/CN=rogue CA');
  signed('stranger', 'stranger', 'rogue-ca');
  return { dir, file, read: (n) => fs.readFileSync(file(n), 'utf8') };
}
