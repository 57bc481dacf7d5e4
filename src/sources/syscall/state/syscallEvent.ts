// The object every syscall field extractor reads: the decoded event (a view
// moved from event to event) plus what the state tracker resolved for it, the
// thread and the fd. One instance is reused for every event.
import type { EventView } from '../decode';
import type { FdInfo } from './fdInfo';
import type { ThreadInfo } from './threadInfo';
import type { ThreadTable } from './threadTable';
import type { UserDb } from './userDb';

export class SyscallEvent {
  /** evt.num: events seen since start, from 1 */
  num = 0;
  thread: ThreadInfo | undefined;
  /** the fd the event is about (-1: none), and what the fd table knows of it */
  fdNum = -1;
  fd: FdInfo | undefined;

  constructor(
    public view: EventView,
    readonly threads: ThreadTable,
    readonly users: UserDb,
    /** time of the first event, for evt.reltime */
    public firstTs = 0n,
  ) {}
}
