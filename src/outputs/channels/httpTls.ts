// The TLS side of http_output, from Falco's keys: which CAs verify the
// server (ca_cert, else ca_bundle, else every PEM file in ca_path), the client
// certificate for mtls, and insecure. Files are read once, at start.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../config';

export interface HttpTlsKeys {
  insecure: boolean;
  ca_cert: string;
  ca_bundle: string;
  ca_path: string;
  mtls: boolean;
  client_cert: string;
  client_key: string;
}

export interface TlsConnectOptions {
  rejectUnauthorized: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
}

function readPem(key: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`http_output.${key}: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Every certificate file directly in `dir` (a hashed c_rehash directory holds links to them too; duplicates are harmless). */
function readCaDir(dir: string): string[] | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    // Falco hands ca_path to libcurl, which fails only when a TLS connection is made; Node's own store then applies
    return undefined;
  }
  const out: string[] = [];
  for (const n of names) {
    if (!/\.(pem|crt)$/.test(n)) continue;
    try {
      const text = fs.readFileSync(path.join(dir, n), 'utf8');
      if (text.includes('-----BEGIN CERTIFICATE-----')) out.push(text);
    } catch {
      // an unreadable or dangling entry is skipped, as OpenSSL's directory lookup does
    }
  }
  return out.length > 0 ? out : undefined;
}

export function tlsOptions(k: HttpTlsKeys): TlsConnectOptions {
  const opts: TlsConnectOptions = { rejectUnauthorized: !k.insecure };
  if (k.ca_cert) opts.ca = [readPem('ca_cert', k.ca_cert)];
  else if (k.ca_bundle) opts.ca = [readPem('ca_bundle', k.ca_bundle)];
  else if (k.ca_path) opts.ca = readCaDir(k.ca_path);
  if (k.mtls) {
    opts.cert = readPem('client_cert', k.client_cert);
    opts.key = readPem('client_key', k.client_key);
  }
  return opts;
}
