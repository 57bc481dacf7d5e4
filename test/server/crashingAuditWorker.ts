// The real audit worker (src/server/auditWorker.ts), except that it dies of
// an uncaught error on any batch whose body holds CRASH_MARK, as a worker
// with a bug would: for the pool's and the webserver's crash handling tests.
import { parentPort } from 'node:worker_threads';

export const CRASH_MARK = 'crash-this-worker';

// imported on the main thread for CRASH_MARK alone
if (parentPort) {
  const port = parentPort;
  const on = port.on.bind(port);
  port.on = ((event: string, listener: (msg: unknown) => void) =>
    on(event, (msg: unknown) => {
      const m = msg as { type?: string; body?: ArrayBuffer; length?: number };
      if (event === 'message' && m.type === 'batch' && Buffer.from(m.body!, 0, m.length).toString('utf8').includes(CRASH_MARK)) {
        throw new Error('auditWorker: crash requested by a test');
      }
      listener(msg);
    })) as typeof port.on;
  require('../../src/server/auditWorker');
}
