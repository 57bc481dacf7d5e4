// Mutual TLS in front of the uWS app. This uWebSockets.js build, given a CA,
// checks a client certificate that is sent but lets a client that sends none
// through (measured: test/server/webserverTls.test.ts), and exposes no peer
// certificate to check. So with ssl_verify_client, Node's TLS terminates each
// connection, requiring a certificate that chains to ssl_ca, and pipes it to
// the plain uWS app on a unix socket in a directory only this user can enter.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as uWS from 'uWebSockets.js';

export interface ClientCertGate {
  port: number;
  /** settles when the TLS port is listening (or could not) */
  ready: Promise<void>;
  close(): void;
}

/** A private path for the app's unix socket; the caller listens on it. */
export function privateSocketPath(): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-ws-'));
  const file = path.join(dir, 'app.sock');
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Listens on host:port with TLS that demands a client certificate signed by
 * `caFile`, and forwards each connection to `target` (a unix socket). The
 * port is claimed synchronously first (so a port in use throws here, and
 * port 0 becomes a real port), then handed to Node's listener.
 */
export function startClientCertGate(host: string, port: number, pemFile: string, caFile: string, target: string): ClientCertGate {
  let probe: uWS.us_listen_socket | false = false;
  uWS.App().listen(host, port, (s) => {
    probe = s;
  });
  if (!probe) throw new Error(`webserver: cannot listen on ${host}:${port} (port in use, or not an address of this host?)`);
  const realPort = uWS.us_socket_local_port(probe);
  uWS.us_listen_socket_close(probe);

  const pem = fs.readFileSync(pemFile);
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: pem, cert: pem, ca: fs.readFileSync(caFile), requestCert: true, rejectUnauthorized: true }, (client) => {
    const upstream = net.connect(target);
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  // refused handshakes are the point of the gate, not failures of the server
  server.on('tlsClientError', () => undefined);
  const ready = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (e) => reject(new Error(`webserver: cannot listen on ${host}:${realPort}: ${e.message}`)));
  });
  server.listen(realPort, host);
  return {
    port: realPort,
    ready,
    close(): void {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
