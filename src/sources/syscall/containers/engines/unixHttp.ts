// GET a JSON document from an HTTP API on a unix socket (docker, podman),
// within a deadline and a size bound: a daemon that hangs, closes mid-answer
// or sends something else than JSON rejects with an EngineError.
import http from 'node:http';
import { EngineError, socketFailure } from './engine';

/** Inspect answers are a few kB; anything past this is not one. */
const MAX_BODY = 4 * 1024 * 1024;

/** The parsed body, or undefined on 404 (no such container). */
export function getJson(socket: string, path: string, deadline: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: EngineError | undefined, value?: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err);
      else resolve(value);
    };
    const req = http.request({ socketPath: socket, path, method: 'GET', headers: { Host: 'localhost', Accept: 'application/json' }, agent: false });
    const ms = Math.max(1, deadline - Date.now());
    const timer = setTimeout(() => finish(new EngineError(`${socket}: no answer to GET ${path} within ${ms} ms`)), ms);
    req.on('error', (e) => finish(socketFailure(socket, e)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) finish(new EngineError(`${socket}: GET ${path} answered more than ${MAX_BODY} bytes`));
        else chunks.push(c);
      });
      res.on('error', (e) => finish(new EngineError(`${socket}: GET ${path}: ${e.message}`)));
      res.on('aborted', () => finish(new EngineError(`${socket}: GET ${path}: the connection closed mid-answer`)));
      res.on('close', () => {
        if (!res.complete) finish(new EngineError(`${socket}: GET ${path}: the connection closed mid-answer`));
      });
      res.on('end', () => {
        if (res.statusCode === 404) return finish(undefined, undefined);
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return finish(new EngineError(`${socket}: GET ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          finish(undefined, JSON.parse(body));
        } catch (e) {
          finish(new EngineError(`${socket}: GET ${path}: the answer is not JSON (${(e as Error).message})`));
        }
      });
    });
    req.end();
  });
}
