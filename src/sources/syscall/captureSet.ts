// Which syscalls the probe captures: those the rules' event types name, plus
// those state tracking needs to answer the fields on them. Socket state
// (socket, connect, accept) is kept only when some rule looks at events whose
// fds can be sockets (the net and io categories: connect, dup, sendto...), so
// that with rules needing only opens a storm of connects never leaves the kernel.
import { EVENT_LIST } from './eventTable';
import { STATE_SYSCALLS } from './index';
import { CAPTURABLE } from './syscallTable';

const SOCKET_STATE: ReadonlySet<string> = new Set(['socket', 'connect', 'accept', 'accept4']);
const SOCKET_USERS: ReadonlySet<string> = new Set(EVENT_LIST.filter((e) => e.category === 'net' || e.category === 'io').map((e) => e.name));

export function syscallsToCapture(ruleTypes: ReadonlySet<string> | 'all', all: boolean): string[] | 'all' {
  if (all || ruleTypes === 'all') return 'all';
  const capturable = new Set(CAPTURABLE);
  const needSockets = [...ruleTypes].some((t) => SOCKET_USERS.has(t));
  const out = new Set<string>(STATE_SYSCALLS.filter((s) => needSockets || !SOCKET_STATE.has(s)));
  for (const t of ruleTypes) if (capturable.has(t)) out.add(t);
  return [...out].sort();
}
