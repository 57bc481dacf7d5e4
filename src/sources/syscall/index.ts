// The syscall source: Falco's syscall fields over decoded probe events and the
// process/fd state. `SyscallStream` is the glue the agent uses: it moves one
// reused SyscallEvent over each batch, updates state, and hands the event on.
import type { Source } from '../../engine/source';
import { EVENT_TYPE_NAMES } from './eventTable';
import { syscallFields } from './fields';
import type { SyscallEvent } from './state/syscallEvent';

export { SyscallEvent };

export const syscallSource: Source<SyscallEvent> = {
  name: 'syscall',
  fields: syscallFields,
  eventTypeField: 'evt.type',
  eventTypes: EVENT_TYPE_NAMES,
  eventType: (e) => e.view.name,
  time: (e) => e.view.ts,
};
