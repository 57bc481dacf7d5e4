// The agent's per-batch handler: an event whose state update or evaluation
// throws is reported and skipped, and the events after it are still handled;
// a record the decoder cannot read is reported and ends its batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchHandler } from '../../../src/sources/syscall';
import { EventView } from '../../../src/sources/syscall/decode';
import { eventBytes } from './state/eventBytes';
import { emptyProcTracker } from './state/trackerFeed';

function batch(parts: Buffer[]): { view: EventView; length: number } {
  const b = Buffer.concat(parts);
  return { view: new EventView(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)), length: b.length };
}

const close = (tid: number, fd: number, ts: bigint): Buffer => eventBytes('close', tid, ts, { res: 0, fd });

test('an event that throws is reported with its event, and the next events are handled', () => {
  const { tracker } = emptyProcTracker();
  const seen: number[] = [];
  const failures: { msg: string; name?: string; tid?: number }[] = [];
  const handle = batchHandler(
    tracker,
    (e) => {
      seen.push(e.view.tid);
      if (e.view.tid === 12) throw new Error('a rule bug');
    },
    (err, v) => failures.push({ msg: (err as Error).message, name: v?.name, tid: v?.tid }),
  );
  const { view, length } = batch([close(11, 3, 1000n), close(12, 4, 2000n), close(13, 5, 3000n)]);
  handle(view, length);
  assert.deepEqual(seen, [11, 12, 13]);
  assert.deepEqual(failures, [{ msg: 'a rule bug', name: 'close', tid: 12 }]);
});

test('a record that cannot be decoded is reported once and ends its batch; the events before it were handled', () => {
  const { tracker } = emptyProcTracker();
  const seen: number[] = [];
  const failures: { msg: string; view: unknown }[] = [];
  const handle = batchHandler(tracker, (e) => seen.push(e.view.tid), (err, v) => failures.push({ msg: (err as Error).message, view: v }));
  const bad = close(22, 4, 2000n);
  bad.writeUInt32LE(3, 16); // the header's event length: shorter than a header
  const { view, length } = batch([close(21, 3, 1000n), bad, close(23, 5, 3000n)]);
  handle(view, length);
  assert.deepEqual(seen, [21]);
  assert.equal(failures.length, 1);
  assert.equal(failures[0].view, undefined);
  assert.match(failures[0].msg, /bad event length 3/);
});

test('without a failure handler an exception still propagates (tools that want to stop on it)', () => {
  const { tracker } = emptyProcTracker();
  const handle = batchHandler(tracker, () => {
    throw new Error('stop here');
  });
  const { view, length } = batch([close(31, 3, 1000n)]);
  assert.throws(() => handle(view, length), /stop here/);
});
