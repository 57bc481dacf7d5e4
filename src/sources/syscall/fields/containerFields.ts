// container.*, k8s.*: the container of the process. The id comes from its
// cgroup; the rest needs the container runtime's API, which this agent does
// not query yet, so those answer <NA>.
import type { FieldDef, Value } from '../../../engine/source';
import type { SyscallEvent } from '../state/syscallEvent';
import { keyed, plain } from './fieldKinds';

type E = SyscallEvent;

const NA = (): Value => undefined;

export const containerFields: FieldDef<E>[] = [
  plain('container.id', 'string', "the container id (12 characters) from the process's cgroup, or 'host'", (e) => e.thread?.containerId),
  plain('container.name', 'string', "the container's name; 'host' on the host, <NA> in a container (no runtime API)", (e) =>
    e.thread?.containerId === 'host' ? 'host' : undefined),
  plain('container.image', 'string', "the container's image; <NA> (no runtime API)", NA),
  plain('container.image.repository', 'string', "the container image's repository; <NA> (no runtime API)", NA),
  plain('container.image.tag', 'string', "the container image's tag; <NA> (no runtime API)", NA),
  plain('container.image.id', 'string', "the container image's id; <NA> (no runtime API)", NA),
  plain('container.type', 'string', "the container runtime: 'host' on the host, <NA> otherwise", (e) => (e.thread?.containerId === 'host' ? 'host' : undefined)),
  plain('container.privileged', 'bool', 'true for a privileged container; <NA> (no runtime API)', NA),
  plain('container.mounts', 'string', "the container's mounts; <NA> (no runtime API)", NA),
  plain('container.start_ts', 'abstime', "the container's start time (nanoseconds since the epoch); <NA> (no runtime API)", NA),
  keyed('container.mount.dest', 'string', "the mount of the container whose destination matches the key (a path or glob), as the runtime reports it; <NA> (no runtime API)",
    'destination path or glob, e.g. /proc*', () => NA),
  plain('k8s.ns.name', 'string', 'the Kubernetes namespace of the pod; <NA> (no runtime API)', NA),
  plain('k8s.pod.name', 'string', 'the Kubernetes pod name; <NA> (no runtime API)', NA),
  plain('k8s.pod.id', 'string', 'the Kubernetes pod uid; <NA> (no runtime API)', NA),
];
