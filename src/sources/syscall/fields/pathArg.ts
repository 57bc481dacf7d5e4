// Path parameters as libs shows them in evt.arg and evt.args: a relative path
// (mkdir("bin/x"), unlinkat(dirfd, "x"), rename("a", "b")...) resolved to an
// absolute, cleaned one; absolute and empty paths stay as the syscall gave
// them. Rules such as `evt.arg.path pmatch (bin_dirs)` rely on it.
import { EVENTS } from '../eventTable';
import { concatPaths, dirOf } from '../state/pathConcat';
import type { SyscallEvent } from '../state/syscallEvent';

const AT_FDCWD = -100;
const SLASH = 47;

/** per event code and parameter: 0 not a path, 1 relative to the cwd (FSPATH), 2 relative to the dirfd parameter before it (FSRELPATH) */
const KIND: Uint8Array[] = [];
/** per event code and FSRELPATH parameter: the index of its dirfd parameter, the nearest FD before it (as libs' DIRFD_PARAM) */
const DIRFD_AT: Int16Array[] = [];
const NONE = new Uint8Array(0);
for (const e of EVENTS) {
  if (!e) continue;
  const kinds = new Uint8Array(e.params.length);
  const dirfds = new Int16Array(e.params.length).fill(-1);
  let lastFd = -1;
  e.params.forEach((p, i) => {
    if (p.type === 'FD') lastFd = i;
    else if (p.type === 'FSPATH') kinds[i] = 1;
    else if (p.type === 'FSRELPATH') {
      kinds[i] = lastFd < 0 ? 1 : 2;
      dirfds[i] = lastFd;
    }
  });
  KIND[e.code] = kinds.some((k) => k !== 0) ? kinds : NONE;
  DIRFD_AT[e.code] = dirfds;
}

/** true when parameter `i` of the event is a path libs resolves (its text may still be absolute) */
export function isPathParam(e: SyscallEvent, i: number): boolean {
  const kinds = e.view.info === undefined ? undefined : KIND[e.view.type];
  return kinds !== undefined && i < kinds.length && kinds[i] !== 0;
}

/**
 * The absolute path libs shows for path parameter `i` whose text is `p`, or
 * undefined when it shows `p` itself (absolute, empty, `<NA>`, not a path).
 */
export function resolvedPathArg(e: SyscallEvent, i: number, p: string): string | undefined {
  if (p === '' || p.charCodeAt(0) === SLASH || p === '<NA>' || !isPathParam(e, i)) return undefined;
  const t = e.thread;
  if (t === undefined) return undefined;
  let dir: string;
  const dirfdAt = KIND[e.view.type][i] === 2 ? DIRFD_AT[e.view.type][i] : -1;
  const dirfd = dirfdAt < 0 ? AT_FDCWD : e.view.int(dirfdAt) ?? AT_FDCWD;
  if (dirfd === AT_FDCWD) {
    dir = dirOf((e.threads.main(t) ?? t).cwd || '/');
  } else {
    // a dirfd the fd table lacks: libs then resolves against nothing (a replay cannot ask /proc)
    dir = dirOf(t.fds.get(dirfd)?.name ?? '');
  }
  return concatPaths(dir, p);
}
