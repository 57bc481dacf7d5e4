// The syscall source: Falco's syscall fields over decoded probe events and the
// process/fd state. `SyscallStream` is the glue the agent uses: it moves one
// reused SyscallEvent over each batch, updates state, and hands the event on.
import type { Source } from '../../engine/source';
import { type EventView, forEachEvent } from './decode';
import { EVENT_TYPE_NAMES } from './eventTable';
import { syscallFields } from './fields';
import { KNOWN_EVENT_TYPES } from './knownEventTypes';
import type { SyscallEvent } from './state/syscallEvent';
import type { StateTracker } from './state/tracker';

export { SyscallEvent };
export { StateTracker } from './state/tracker';

/**
 * Syscalls state tracking needs whatever the rules ask for: process
 * lifecycle, and the calls that create, copy or close fds or change cwd.
 */
export const STATE_SYSCALLS: readonly string[] = [
  'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'procexit',
  'open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3',
  'socket', 'connect', 'accept', 'accept4', 'pipe', 'pipe2', 'chdir', 'fchdir',
];

/**
 * What the handler does with an event that throws (a state or rule bug, an
 * event the decoder cannot read): `view` is the event, or undefined when a
 * record could not be decoded and the rest of its batch was lost with it.
 */
export type EventFailure = (err: unknown, view: EventView | undefined) => void;

/**
 * The per-batch handler for a capture: each event updates the state, goes to
 * onEvent through the tracker's one reused SyscallEvent, and is then
 * finished. Built once; nothing here allocates per event. With `onFailure`,
 * an event that throws is reported there and the next one goes on, so one bad
 * event cannot take the agent, or the rest of its batch, down with it.
 */
export function batchHandler(tracker: StateTracker, onEvent: (e: SyscallEvent) => void, onFailure?: EventFailure): (view: EventView, length: number) => void {
  const ev = tracker.event;
  const visit = onFailure
    ? (): void => {
        try {
          tracker.apply();
          onEvent(ev);
        } catch (err) {
          onFailure(err, ev.view);
        }
        tracker.finish();
      }
    : (): void => {
        tracker.apply();
        onEvent(ev);
        tracker.finish();
      };
  return (view, length) => {
    ev.view = view;
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

export const syscallSource: Source<SyscallEvent> = {
  name: 'syscall',
  fields: syscallFields,
  // Falco's rules files use fields Vigil lacks: those rules are skipped with a warning
  partialFalcoFields: true,
  // container.* fields are built in (ids from cgroups), standing in for Falco's container plugin
  plugins: ['container'],
  eventTypeField: 'evt.type',
  eventTypes: EVENT_TYPE_NAMES,
  knownEventTypes: KNOWN_EVENT_TYPES,
  eventType: (e) => e.view.name,
  time: (e) => e.view.ts,
};
