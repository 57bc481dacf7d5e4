// container.*, k8s.*: the container of the process, as Falco's container
// plugin names them. The id comes from the process's cgroup; the rest from the
// container runtimes (src/sources/syscall/containers), asked once per
// container off the event path: until the answer arrives those fields are
// <NA>, as in Falco. On the host, container.id and container.name are 'host'.
import type { FieldDef, Value } from '../../../engine/source';
import { globMatcher } from '../../../engine/glob';
import type { ContainerInfo, ContainerMount } from '../containers/containerInfo';
import type { SyscallEvent } from '../state/syscallEvent';
import { keyed, plain } from './fieldKinds';

type E = SyscallEvent;

const HOST = 'host';
const NA = (): Value => undefined;

/** the event's container as the runtimes described it; undefined on the host or before any answer */
function info(e: E): ContainerInfo | undefined {
  if (e.container !== undefined) return e.container;
  const t = e.thread;
  if (t === undefined || t.container === undefined) return undefined;
  return e.containers.get(t.containerId);
}

function onHost(e: E): boolean {
  return e.container === undefined && e.thread?.container === undefined && e.thread !== undefined;
}

function described(e: E): ContainerInfo | undefined {
  const c = info(e);
  return c?.described ? c : undefined;
}

/** a field read from the described container */
function meta(name: string, type: 'string' | 'bool' | 'abstime', desc: string, get: (c: ContainerInfo) => Value): FieldDef<E> {
  return plain(name, type, desc, (e) => {
    const c = described(e);
    return c === undefined ? undefined : get(c);
  });
}

/** `container.mount*[n]` or `[path glob]`; a mount that is not there is the text `none`, as Falco */
function mountField(name: string, desc: string, byDest: boolean, get: (m: ContainerMount) => string): FieldDef<E> {
  return keyed(name, 'string', desc, 'a mount index (0, 1...) or a path glob', (key) => {
    const pick: (c: ContainerInfo) => ContainerMount | undefined = /^\d+$/.test(key)
      ? (c) => c.mounts[Number(key)]
      : ((match) => (c: ContainerInfo) => c.mountBy((p) => match(p), byDest))(globMatcher(key));
    return (e) => {
      const c = described(e);
      if (c === undefined) return undefined;
      const m = pick(c);
      return m === undefined ? 'none' : get(m);
    };
  });
}

function labelField(name: string, desc: string, labels: (c: ContainerInfo) => ReadonlyMap<string, string> | undefined): FieldDef<E> {
  return keyed(name, 'string', desc, 'a label name', (key) => (e) => {
    const c = described(e);
    return c === undefined ? undefined : labels(c)?.get(key);
  }, { dotted: true });
}

function startTs(e: E): bigint | undefined {
  const t = e.thread;
  if (t !== undefined && t.pidnsInitStartTs !== 0n) return t.pidnsInitStartTs;
  return described(e)?.startTs;
}

/** the process runs the container's probe command (Falco: a child of the runtime running exactly that command) */
function runsProbe(e: E, probe: (c: ContainerInfo) => string | undefined): boolean | undefined {
  const t = e.thread;
  if (t === undefined) return undefined;
  if (t.container === undefined) return false;
  const c = described(e);
  if (c === undefined) return undefined;
  const cmd = probe(c);
  if (cmd === undefined || cmd === 'NONE' || t.vpid === 1) return false;
  return `${t.exe} ${t.args.join(' ')}`.trim() === cmd || t.cmdline() === cmd;
}

const DEPRECATED = 'deprecated (Kubernetes API metadata Falco no longer has); always <NA>';

export const containerFields: FieldDef<E>[] = [
  plain('container.id', 'string', "the container id (12 characters) from the process's cgroup, or 'host'", (e) =>
    e.container !== undefined ? e.container.id : e.thread?.containerId),
  plain('container.full_id', 'string', "the full container id (64 characters), or 'host'", (e) =>
    e.container !== undefined ? e.container.fullId : onHost(e) ? HOST : e.thread?.container?.fullId),
  plain('container.name', 'string', "the container's name; 'host' on the host, <NA> until the runtime answered", (e) =>
    onHost(e) ? HOST : described(e)?.name),
  meta('container.image', 'string', "the container's image as the runtime names it (e.g. docker.io/library/nginx:1.25)", (c) => c.image),
  meta('container.image.id', 'string', "the image id's first 12 characters", (c) => c.imageId),
  meta('container.image.repository', 'string', "the image's repository (e.g. docker.io/library/nginx)", (c) => c.imageRepository),
  meta('container.image.tag', 'string', "the image's tag (e.g. 1.25)", (c) => c.imageTag),
  meta('container.image.digest', 'string', "the image's registry digest (sha256:...)", (c) => c.imageDigest),
  plain('container.type', 'string', "the container runtime (docker, podman, containerd, cri-o; 'host' on the host), known from the cgroup before the runtime answers", (e) => {
    if (onHost(e)) return HOST;
    const c = info(e);
    return c?.type;
  }),
  meta('container.privileged', 'bool', 'true for a privileged container', (c) => c.privileged),
  meta('container.mounts', 'string', "the container's mounts, comma-separated, each 'source:dest:mode:rdwr:propagation'", (c) => c.mountsText),
  mountField('container.mount', "one mount ('source:dest:mode:rdwr:propagation') by index or by source glob; 'none' when there is none", false, (m) => m.text),
  mountField('container.mount.source', "a mount's source, by index or by destination glob", true, (m) => m.source),
  mountField('container.mount.dest', "a mount's destination, by index or by source glob", false, (m) => m.dest),
  mountField('container.mount.mode', "a mount's mode, by index or by source glob", false, (m) => m.mode),
  mountField('container.mount.rdwr', "a mount's read/write flag (true/false), by index or by source glob", false, (m) => String(m.rdwr)),
  mountField('container.mount.propagation', "a mount's propagation, by index or by source glob", false, (m) => m.propagation),
  meta('container.healthcheck', 'string', "the container's health check command; 'NONE' when explicitly off, <NA> when none", (c) => c.healthcheck),
  meta('container.liveness_probe', 'string', "the container's liveness probe command", (c) => c.livenessProbe),
  meta('container.readiness_probe', 'string', "the container's readiness probe command", (c) => c.readinessProbe),
  plain('container.start_ts', 'abstime', "the container's start, ns since the epoch: the start of the process's pid namespace init (clone events), else the runtime's start time", startTs),
  plain('container.duration', 'reltime', 'nanoseconds since container.start_ts', (e) => {
    const s = startTs(e);
    return s === undefined ? undefined : e.view.ts - s;
  }),
  meta('container.ip', 'string', "the container's (or its pod's) primary IPv4 address", (c) => c.ip),
  meta('container.cni.json', 'string', "the pod's CNI result as JSON text (CRI on containerd)", (c) => c.cniJson),
  meta('container.host_pid', 'bool', 'true when the container shares the host pid namespace', (c) => c.hostPid),
  meta('container.host_network', 'bool', 'true when the container shares the host network namespace', (c) => c.hostNetwork),
  meta('container.host_ipc', 'bool', 'true when the container shares the host IPC namespace', (c) => c.hostIpc),
  labelField('container.label', 'a container label, e.g. container.label[maintainer] or container.label.maintainer', (c) => c.labels),
  meta('container.labels', 'string', "the container's labels, 'key:value, ...' (Kubernetes' io.kubernetes.* left out)", (c) => c.labelsText),
  meta('container.cmdline', 'string', "the container's command line as configured (entrypoint and arguments)", (c) => c.cmdline),
  plain('proc.is_container_healthcheck', 'bool', "true when the process runs the container's health check command", (e) => runsProbe(e, (c) => c.healthcheck)),
  plain('proc.is_container_liveness_probe', 'bool', "true when the process runs the container's liveness probe command", (e) => runsProbe(e, (c) => c.livenessProbe)),
  plain('proc.is_container_readiness_probe', 'bool', "true when the process runs the container's readiness probe command", (e) => runsProbe(e, (c) => c.readinessProbe)),
  meta('k8s.pod.name', 'string', 'the Kubernetes pod name (CRI pod sandbox, or the io.kubernetes.pod.name label)', (c) => c.podName),
  meta('k8s.ns.name', 'string', 'the Kubernetes namespace of the pod', (c) => c.podNamespace),
  meta('k8s.pod.id', 'string', 'legacy name of k8s.pod.uid', (c) => c.podUid),
  meta('k8s.pod.uid', 'string', 'the Kubernetes pod uid', (c) => c.podUid),
  meta('k8s.pod.sandbox_id', 'string', "the pod sandbox's id, 12 characters", (c) => c.sandboxId?.slice(0, 12)),
  meta('k8s.pod.full_sandbox_id', 'string', "the pod sandbox's full id", (c) => c.sandboxId),
  labelField('k8s.pod.label', 'a pod label, e.g. k8s.pod.label[app] or k8s.pod.label.app', (c) => (c.podName === undefined ? undefined : c.podLabels)),
  meta('k8s.pod.labels', 'string', "the pod's labels, 'key:value, ...'", (c) => c.podLabelsText),
  meta('k8s.pod.ip', 'string', "the pod's IPv4 address", (c) => c.podIp),
  meta('k8s.pod.cni.json', 'string', "the pod's CNI result as JSON text (CRI on containerd)", (c) => c.cniJson),
  ...['rc', 'svc', 'ns', 'rs', 'deployment'].flatMap((kind): FieldDef<E>[] => [
    ...(kind === 'ns' ? [] : [plain(`k8s.${kind}.name`, 'string', DEPRECATED, NA)]),
    plain(`k8s.${kind}.id`, 'string', DEPRECATED, NA),
    keyed(`k8s.${kind}.label`, 'string', DEPRECATED, 'a label name', () => NA, { dotted: true }),
    plain(`k8s.${kind}.labels`, 'string', DEPRECATED, NA),
  ]),
];
