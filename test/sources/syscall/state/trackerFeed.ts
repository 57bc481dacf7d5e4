// A StateTracker fed events built by eventBytes, for state and field tests
// that run without the probe.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventView } from '../../../../src/sources/syscall/decode';
import { StateTracker } from '../../../../src/sources/syscall/state/tracker';
import { UserDb } from '../../../../src/sources/syscall/state/userDb';
import { eventBytes, type P } from './eventBytes';

/** feeds `tracker` one built event per call (timestamps from `ts0`, `step` apart) and applies it; finish() is the caller's */
export function eventFeeder(tracker: StateTracker, ts0: bigint, step: bigint) {
  let ts = ts0;
  return (name: string, tid: number, params: Record<string, P>) => {
    const b = eventBytes(name, tid, (ts += step), params);
    const view = new EventView(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    view.moveTo(0, b.length);
    return tracker.apply(view);
  };
}

/** a tracker over an empty fake /proc (a fresh temp dir) with no users, fed 1 µs apart */
export function emptyProcTracker() {
  const procRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-proc-'));
  const tracker = new StateTracker({ procRoot, users: new UserDb('/nonexistent', '/nonexistent') });
  return { tracker, procRoot, apply: eventFeeder(tracker, 1_000_000_000n, 1000n) };
}
