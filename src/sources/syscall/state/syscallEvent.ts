// The object every syscall field extractor reads: the decoded event (a view
// moved from event to event) plus what the state tracker resolved for it, the
// thread and the fd. One instance is reused for every event.
import type { ContainerInfo } from '../containers/containerInfo';
import { type EventView, MAX_PARAMS } from '../decode';
import type { FdInfo } from './fdInfo';
import type { ThreadInfo } from './threadInfo';
import type { ThreadTable } from './threadTable';
import type { UserDb } from './userDb';

/** Where container.* fields find what the runtimes said: the container store, by 12-character id. */
export interface ContainerLookup {
  get(id: string): ContainerInfo | undefined;
}

const NO_CONTAINERS: ContainerLookup = { get: () => undefined };

export class SyscallEvent {
  /** evt.num: events seen since start, from 1 */
  num = 0;
  thread: ThreadInfo | undefined;
  /** the fd the event is about (-1: none), and what the fd table knows of it */
  fdNum = -1;
  fd: FdInfo | undefined;
  /** fd.name_changed: this event gave its fd another name (connect, accept, a datagram's peer) */
  fdNameChanged = false;
  /**
   * evt.arg texts already made for this event, by parameter: rules that read
   * the same argument share one decode. Valid while argTextsOf === num.
   */
  readonly argTexts: (string | undefined)[] = new Array<string | undefined>(MAX_PARAMS).fill(undefined);
  /** bit i: argTexts[i] is set for event argTextsOf */
  argTextsMask = 0;
  argTextsOf = -1;
  /** the container a `container` or `container_removed` event is about (they have no thread) */
  container: ContainerInfo | undefined = undefined;
  containers: ContainerLookup = NO_CONTAINERS;

  /** the event being evaluated; set by StateTracker.apply before anything reads it */
  view!: EventView;

  constructor(
    readonly threads: ThreadTable,
    readonly users: UserDb,
    /** time of the first event, for evt.reltime */
    public firstTs = 0n,
  ) {}

  /** Record parameter i's evt.arg text for the current event (the tracker passes what it decoded anyway). */
  cacheArgText(i: number, text: string | undefined): void {
    if (this.argTextsOf !== this.num) {
      this.argTextsOf = this.num;
      this.argTextsMask = 0;
    }
    this.argTexts[i] = text;
    this.argTextsMask |= 1 << i;
  }

  /** Parameter i's evt.arg text when cached for the current event, else `missing`. */
  cachedArgText<M>(i: number, missing: M): string | undefined | M {
    return this.argTextsOf === this.num && (this.argTextsMask & (1 << i)) !== 0 ? this.argTexts[i] : missing;
  }
}
