// The thread behind spanScanner.ts: for each body it is sent ({ id, bytes }),
// answers { id, spans } with the byte spans of its events (byteSpans.ts).
import { parentPort } from 'node:worker_threads';
import { byteSpans } from './byteSpans';

interface Request {
  id: number;
  bytes: Uint8Array;
}

const port = parentPort;
if (!port) throw new Error('spanWorker.ts runs as a worker thread (spanScanner.ts starts it)');
port.on('message', (m: Request) => {
  const spans = byteSpans(m.bytes);
  if (spans === undefined) {
    port.postMessage({ id: m.id, spans: undefined });
    return;
  }
  // offsets can pass 2^31 only if max_batch_size does: a Float64Array holds any
  const out = Float64Array.from(spans);
  port.postMessage({ id: m.id, spans: out }, [out.buffer]);
});
