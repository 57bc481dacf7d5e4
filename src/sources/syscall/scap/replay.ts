// Replays a capture file through the same state tracker and per-event handler
// as live capture (batchHandler.ts): the file's state blocks seed the process,
// fd and user tables, its events (converted to the current layouts) follow one
// by one as read. No /proc and no /etc/passwd of this machine is read: the
// capture may come from another one.
import { type EventView, EventView as View } from '../decode';
import { eventHandler } from '../batchHandler';
import type { EventFailure } from '../index';
import type { SyscallEvent } from '../state/syscallEvent';
import { StateTracker } from '../state/tracker';
import { UserDb } from '../state/userDb';
import { BlockReader, type BlockCounts } from './blockReader';
import { readCaptureFile } from './captureStream';
import { type ConvertStats, EventConverter } from './eventConverter';
import { EF_DROP_SIMPLE_CONS, LIBS_EVENTS } from './libsEventTable';
import { ScapError } from './scapError';
import { orientSeededSockets } from '../state/procNet';
import { fdFromScap, seedThread } from './threadState';

/** room for one rewritten event */
const SCRATCH_BYTES = 4 << 20;

/** per code: libs flags the type EF_DROP_SIMPLE_CONS (Falco leaves it out without -A) */
const DROP = new Uint8Array(LIBS_EVENTS.length);
for (const e of LIBS_EVENTS) if (e && e.flags & EF_DROP_SIMPLE_CONS) DROP[e.code] = 1;

export interface ReplayOptions {
  /** -A: evaluate every event, EF_DROP_SIMPLE_CONS types included */
  allEvents: boolean;
  /** the evaluation of one event (state already applied) */
  onEvent(e: SyscallEvent): void;
  onFailure?: EventFailure;
}

export interface ReplayStats {
  gzip: boolean;
  /** events handed to the tracker */
  events: number;
  /** of those, not evaluated: EF_DROP_SIMPLE_CONS types without -A */
  notEvaluated: number;
  threadsSeeded: number;
  fdsSeeded: number;
  users: number;
  groups: number;
  hostname: string | undefined;
  blocks: BlockCounts;
  convert: ConvertStats;
  /** where reading stopped, when the capture is damaged; the events before it were replayed */
  error: ScapError | undefined;
}

export async function replayCapture(file: string, opts: ReplayOptions): Promise<ReplayStats> {
  const scratch = new ArrayBuffer(SCRATCH_BYTES);
  const place = { buf: Buffer.from(scratch), at: 0 };
  const rewritten: EventView = new View(scratch);
  // events already in the current layout are read where the reader found them, in its chunk
  const inChunk: EventView = new View(new ArrayBuffer(0));
  let chunk: ArrayBufferLike | undefined;
  const users = UserDb.empty();
  const tracker = new StateTracker({ procRoot: null, users });
  let events = 0;
  let notEvaluated = 0;
  const onEvent = opts.onEvent;
  const allEvents = opts.allEvents;
  const onFailure = opts.onFailure;
  const visit = eventHandler(
    tracker,
    (e) => {
      events++;
      if (!allEvents && DROP[e.view.type] === 1) notEvaluated++;
      else onEvent(e);
    },
    onFailure,
  );
  // events are handed on one by one as read, so state blocks between them apply in stream order
  const decodeAndVisit = (view: EventView, at: number, len: number): void => {
    if (onFailure === undefined) {
      view.moveTo(at, at + len);
      visit(view);
      return;
    }
    try {
      view.moveTo(at, at + len);
    } catch (err) {
      onFailure(err, undefined);
      return;
    }
    visit(view);
  };
  const converter = new EventConverter({
    reserve(n) {
      if (n > SCRATCH_BYTES) throw new RangeError(`event of ${n} bytes is larger than the replay's ${SCRATCH_BYTES} bytes for one event`);
      return place;
    },
    commit(n) {
      decodeAndVisit(rewritten, 0, n);
    },
    inPlace(buf, at, len) {
      if (buf.buffer !== chunk) {
        chunk = buf.buffer;
        inChunk.useBuffer(chunk);
      }
      decodeAndVisit(inChunk, buf.byteOffset + at, len);
    },
  });
  const stats: ReplayStats = {
    gzip: false, events: 0, notEvaluated: 0, threadsSeeded: 0, fdsSeeded: 0, users: 0, groups: 0, hostname: undefined,
    blocks: { sections: 0, eventBlocks: 0, eventBlockTypes: new Map(), stateBlocks: new Map(), unknownBlocks: 0 }, convert: converter.stats, error: undefined,
  };
  let oriented = false;
  // state blocks after events (a second section) apply after the events before them
  const reader = new BlockReader({
    onMachine: (m) => {
      stats.hostname = m.hostname;
    },
    onThread: (t) => {
      seedThread(tracker.threads, t);
      stats.threadsSeeded++;
    },
    onFd: (tid, f) => {
      const t = tracker.threads.get(tid);
      if (t === undefined) return;
      t.fds.set(f.fd, fdFromScap(f));
      stats.fdsSeeded++;
    },
    onUser: (u) => {
      users.addUser(u.uid, { name: u.name, home: u.home, shell: u.shell });
      stats.users++;
    },
    onGroup: (g) => {
      users.addGroup(g.gid, g.name);
      stats.groups++;
    },
    onEvent: (buf, at, avail, v2, offset) => {
      if (!oriented) {
        // as libs, once, when the first state is in and events begin
        orientSeededSockets(tracker.threads);
        oriented = true;
      }
      converter.take(buf, at, avail, v2, offset);
    },
    // the tracker copies what it keeps of an event; the converter's kept enters are copied out here
    onRecycle: (buf) => converter.release(buf),
  });
  try {
    stats.gzip = (await readCaptureFile(file, reader)).gzip;
  } catch (e) {
    if (!(e instanceof ScapError)) throw e;
    stats.error = e;
  }
  stats.events = events;
  stats.notEvaluated = notEvaluated;
  stats.blocks = reader.settleCounts();
  return stats;
}
