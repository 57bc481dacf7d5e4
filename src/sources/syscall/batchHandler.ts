// From a batch of raw events to evaluation: each event updates the state and
// goes to onEvent through the tracker's one reused SyscallEvent. Live capture
// (capture.ts) calls it per drained batch; any other producer of event bytes
// in the probe's format (a capture-file reader) can share it and the tracker.
import { type EventView, forEachEvent } from './decode';
import type { SyscallEvent } from './state/syscallEvent';
import type { StateTracker } from './state/tracker';

/**
 * What the handler does with an event that throws (a state or rule bug, an
 * event the decoder cannot read): `view` is the event, or undefined when a
 * record could not be decoded and the rest of its batch was lost with it.
 */
export type EventFailure = (err: unknown, view: EventView | undefined) => void;

/**
 * The per-batch handler (`length` bytes at the start of `view`'s buffer).
 * Built once; nothing here allocates per event. With `onFailure`, an event
 * that throws is reported there and the next one goes on, so one bad event
 * cannot take the agent, or the rest of its batch, down with it.
 */
export function batchHandler(tracker: StateTracker, onEvent: (e: SyscallEvent) => void, onFailure?: EventFailure): (view: EventView, length: number) => void {
  const visit = eventHandler(tracker, onEvent, onFailure);
  return (view, length) => {
    if (!onFailure) {
      forEachEvent(view, length, visit);
      return;
    }
    try {
      forEachEvent(view, length, visit);
    } catch (err) {
      // only the decoder throws here (visit catches its own): the records after this one cannot be found
      onFailure(err, undefined);
    }
  };
}

/** The same for one event the view is already on (a reader that finds events one by one). */
export function eventHandler(tracker: StateTracker, onEvent: (e: SyscallEvent) => void, onFailure?: EventFailure): (view: EventView) => void {
  const ev = tracker.event;
  return onFailure
    ? (v: EventView): void => {
        try {
          tracker.apply(v);
          onEvent(ev);
        } catch (err) {
          onFailure(err, v);
        }
        tracker.finish();
      }
    : (v: EventView): void => {
        tracker.apply(v);
        onEvent(ev);
        tracker.finish();
      };
}
