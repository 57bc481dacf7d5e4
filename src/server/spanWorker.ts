// The thread behind spanScanner.ts: for each body text it is sent
// ({ id, text }), answers { id, spans } with its events' spans (itemSpans.ts).
import { parentPort } from 'node:worker_threads';
import { itemSpans } from './itemSpans';

interface Request {
  id: number;
  text: string;
}

const port = parentPort;
if (!port) throw new Error('spanWorker.ts runs as a worker thread (spanScanner.ts starts it)');
port.on('message', (m: Request) => {
  const spans = itemSpans(m.text);
  if (spans === undefined) {
    port.postMessage({ id: m.id, spans: undefined });
    return;
  }
  // offsets can pass 2^31 only if max_batch_size does: a Float64Array holds any
  const out = Float64Array.from(spans);
  port.postMessage({ id: m.id, spans: out }, [out.buffer]);
});
