// The syscall source: Falco's syscall fields over decoded probe events and the
// process/fd state (state/). batchHandler.ts feeds a batch of events through
// the state tracker to evaluation; startSyscall.ts runs it in live mode.
import type { Source } from '../../engine/source';
import { EVENT_TYPE_NAMES } from './eventTable';
import { syscallFields } from './fields';
import { KNOWN_EVENT_TYPES } from './knownEventTypes';
import type { SyscallEvent } from './state/syscallEvent';

export { SyscallEvent } from './state/syscallEvent';
export { StateTracker } from './state/tracker';
export { batchHandler, type EventFailure } from './batchHandler';

/**
 * Syscalls state tracking needs whatever the rules ask for: process
 * lifecycle, and the calls that create, copy or close fds or change cwd.
 */
export const STATE_SYSCALLS: readonly string[] = [
  'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'procexit',
  'open', 'openat', 'openat2', 'creat', 'close', 'dup', 'dup2', 'dup3',
  'socket', 'connect', 'accept', 'accept4', 'pipe', 'pipe2', 'chdir', 'fchdir',
];

export const syscallSource: Source<SyscallEvent> = {
  name: 'syscall',
  fields: syscallFields,
  // container.* fields are built in (ids from cgroups, the rest from the container runtimes),
  // standing in for the fields of Falco's container plugin 0.4.0, which Falco's rules files require
  plugins: { container: '0.4.0' },
  // what Falco appends with the container plugin (container.id, container.name) and the pod beside them
  suggestedOutputFields: ['container.id', 'container.name', 'k8s.ns.name', 'k8s.pod.name'],
  eventTypeField: 'evt.type',
  eventTypes: EVENT_TYPE_NAMES,
  knownEventTypes: KNOWN_EVENT_TYPES,
  eventType: (e) => e.view.name,
  time: (e) => e.view.ts,
};
