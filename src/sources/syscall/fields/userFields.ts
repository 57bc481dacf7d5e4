// user.*, group.*: the process's credentials and their names on the host.
import type { FieldDef } from '../../../engine/source';
import type { SyscallEvent } from '../state/syscallEvent';
import { NO_LOGINUID } from '../state/threadInfo';
import { plain } from './fieldKinds';

type E = SyscallEvent;

function loginuid(e: E): number | undefined {
  const t = e.thread;
  if (!t) return undefined;
  // Falco shows an unset loginuid (4294967295) as -1
  return t.loginuid === NO_LOGINUID ? -1 : t.loginuid;
}

export const userFields: FieldDef<E>[] = [
  plain('user.uid', 'int', 'the effective user id of the process', (e) => e.thread?.uid),
  plain('user.name', 'string', 'the name of the user (from the host /etc/passwd)', (e) => (e.thread ? e.users.user(e.thread.uid)?.name : undefined)),
  plain('user.homedir', 'string', "the user's home directory", (e) => (e.thread ? e.users.user(e.thread.uid)?.home : undefined)),
  plain('user.shell', 'string', "the user's login shell", (e) => (e.thread ? e.users.user(e.thread.uid)?.shell : undefined)),
  plain('user.loginuid', 'int', 'the audit login user id (-1 when unset)', loginuid),
  plain('user.loginname', 'string', 'the name of the audit login user', (e) => {
    const id = loginuid(e);
    return id === undefined || id < 0 ? undefined : e.users.user(id)?.name;
  }),
  plain('group.gid', 'int', 'the effective group id of the process', (e) => e.thread?.gid),
  plain('group.name', 'string', 'the name of the group (from the host /etc/group)', (e) => (e.thread ? e.users.groupName(e.thread.gid) : undefined)),
];
