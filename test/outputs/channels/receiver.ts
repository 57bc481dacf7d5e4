// An HTTP(S) server on loopback that records what http_output POSTs, and can
// answer slowly or with an error status to exercise backpressure and retries.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  clientCertCN?: string;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** requests whose body has arrived, answered or not */
  arrived: number;
  /** connections the client opened */
  connections: number;
  /** ms each answer waits */
  delayMs: number;
  /** statuses answered to the next requests, one each, before 200 again */
  statuses: number[];
  /** resolves once `n` bodies have been received */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(tls?: https.ServerOptions): Promise<Receiver> {
  const waiters: { n: number; resolve: () => void }[] = [];
  const r: Receiver = {
    url: '',
    received: [],
    arrived: 0,
    connections: 0,
    delayMs: 0,
    statuses: [],
    waitFor(n, timeoutMs = 20000) {
      if (r.received.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`received ${r.received.length} of ${n} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.arrived++;
      const answer = (): void => {
        const status = r.statuses.shift() ?? 200;
        if (status === 200) {
          let raw = Buffer.concat(chunks);
          if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
          const peer = (req.socket as unknown as { getPeerCertificate?: () => { subject?: { CN?: string } } }).getPeerCertificate?.();
          r.received.push({ body: raw.toString('utf8'), headers: req.headers, clientCertCN: peer?.subject?.CN });
          for (let i = waiters.length - 1; i >= 0; i--) {
            if (r.received.length >= waiters[i].n) {
              waiters[i].resolve();
              waiters.splice(i, 1);
            }
          }
        }
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok\n' : 'try later\n');
      };
      if (r.delayMs > 0) setTimeout(answer, r.delayMs);
      else answer();
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  server.on(tls ? 'secureConnection' : 'connection', () => r.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/falco`;
  return r;
}
