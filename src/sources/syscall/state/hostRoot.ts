// Where the host's /proc and user database are when the agent runs in a
// container: HOST_ROOT (Falco's name for it) is the directory the host's root
// paths are mounted under, e.g. /host with the host's /proc at /host/proc and
// its /etc at /host/etc. Unset or empty: the agent's own /proc and /etc.
import * as path from 'node:path';

export interface HostPaths {
  procRoot: string;
  passwd: string;
  group: string;
}

export function hostPaths(hostRoot: string | undefined): HostPaths {
  const root = hostRoot ? path.resolve(hostRoot) : '/';
  return {
    procRoot: path.join(root, 'proc'),
    passwd: path.join(root, 'etc/passwd'),
    group: path.join(root, 'etc/group'),
  };
}
