// What a runtime said about one container, in the shape the container.* and
// k8s.* fields read. Everything a field prints (joined labels, mounts) is
// made once here, when the answer arrives, so fields allocate nothing per event.
import { shortImageId, splitImage } from './imageName';

/** One mount, as Falco prints it: `source:dest:mode:rdwr:propagation`. */
export interface ContainerMount {
  readonly source: string;
  readonly dest: string;
  readonly mode: string;
  readonly rdwr: boolean;
  readonly propagation: string;
  readonly text: string;
}

export function mount(source: string, dest: string, mode: string, rdwr: boolean, propagation: string): ContainerMount {
  return { source, dest, mode, rdwr, propagation, text: `${source}:${dest}:${mode}:${rdwr}:${propagation}` };
}

/** What an engine fills in; `finishContainer` turns it into a ContainerInfo. */
export interface ContainerFacts {
  fullId: string;
  /** container.type: docker, podman, containerd, cri-o */
  type: string;
  name?: string;
  image?: string;
  imageId?: string;
  imageDigest?: string;
  privileged?: boolean;
  mounts?: ContainerMount[];
  healthcheck?: string;
  livenessProbe?: string;
  readinessProbe?: string;
  /** the runtime's start (or creation) time, ns since the epoch */
  startTs?: bigint;
  ip?: string;
  cniJson?: string;
  hostPid?: boolean;
  hostNetwork?: boolean;
  hostIpc?: boolean;
  labels?: Record<string, string>;
  cmdline?: string;
  podName?: string;
  podNamespace?: string;
  podUid?: string;
  sandboxId?: string;
  podLabels?: Record<string, string>;
  podIp?: string;
}

export class ContainerInfo {
  readonly id: string;
  readonly fullId: string;
  readonly type: string;
  /** false for a container the runtimes have not described (yet): only id and type are known */
  readonly described: boolean;
  readonly name: string | undefined;
  readonly image: string | undefined;
  readonly imageRepository: string | undefined;
  readonly imageTag: string | undefined;
  readonly imageDigest: string | undefined;
  readonly imageId: string | undefined;
  readonly privileged: boolean | undefined;
  readonly mounts: readonly ContainerMount[];
  readonly mountsText: string | undefined;
  readonly healthcheck: string | undefined;
  readonly livenessProbe: string | undefined;
  readonly readinessProbe: string | undefined;
  readonly startTs: bigint | undefined;
  readonly ip: string | undefined;
  readonly cniJson: string | undefined;
  readonly hostPid: boolean | undefined;
  readonly hostNetwork: boolean | undefined;
  readonly hostIpc: boolean | undefined;
  readonly labels: ReadonlyMap<string, string>;
  readonly labelsText: string | undefined;
  readonly cmdline: string | undefined;
  readonly podName: string | undefined;
  readonly podNamespace: string | undefined;
  readonly podUid: string | undefined;
  readonly sandboxId: string | undefined;
  readonly podLabels: ReadonlyMap<string, string>;
  readonly podLabelsText: string | undefined;
  readonly podIp: string | undefined;

  constructor(f: ContainerFacts, described: boolean) {
    this.fullId = f.fullId;
    this.id = f.fullId.slice(0, 12);
    this.type = f.type;
    this.described = described;
    this.name = f.name || undefined;
    this.image = f.image || undefined;
    const parts = this.image === undefined ? undefined : splitImage(this.image);
    this.imageRepository = parts?.repository || undefined;
    this.imageTag = parts?.tag;
    this.imageDigest = f.imageDigest || parts?.digest;
    this.imageId = shortImageId(f.imageId);
    this.privileged = f.privileged;
    this.mounts = f.mounts ?? [];
    this.mountsText = described ? this.mounts.map((m) => m.text).join(',') : undefined;
    this.healthcheck = f.healthcheck;
    this.livenessProbe = f.livenessProbe;
    this.readinessProbe = f.readinessProbe;
    this.startTs = f.startTs;
    this.hostPid = f.hostPid;
    this.hostNetwork = f.hostNetwork;
    this.hostIpc = f.hostIpc;
    this.cmdline = f.cmdline || undefined;
    const labels = new Map(Object.entries(f.labels ?? {}));
    this.labels = labels;
    this.labelsText = described ? labelsText(labels) : undefined;
    // where the CRI said nothing of the pod, the labels kubelet (or cri-dockerd) puts on its containers do
    this.podName = f.podName || labels.get('io.kubernetes.pod.name') || undefined;
    this.podNamespace = f.podNamespace || labels.get('io.kubernetes.pod.namespace') || undefined;
    this.podUid = f.podUid || labels.get('io.kubernetes.pod.uid') || undefined;
    this.sandboxId = f.sandboxId || labels.get('io.kubernetes.sandbox.id') || undefined;
    const podLabels = new Map(Object.entries(f.podLabels ?? {}));
    this.podLabels = podLabels;
    this.podLabelsText = this.podName !== undefined ? labelsText(podLabels) : undefined;
    this.podIp = f.podIp || undefined;
    this.ip = f.ip || this.podIp;
    this.cniJson = f.cniJson || undefined;
  }

  /** the first mount whose source (or, with `byDest`, destination) matches `pattern` */
  mountBy(pattern: (path: string) => boolean, byDest: boolean): ContainerMount | undefined {
    for (const m of this.mounts) if (pattern(byDest ? m.dest : m.source)) return m;
    return undefined;
  }
}

/**
 * `key:value, key2:value2` without Kubernetes' own labels (io.kubernetes.*)
 * and annotations, as Falco joins container.labels and k8s.pod.labels.
 */
function labelsText(labels: ReadonlyMap<string, string>): string {
  let s = '';
  for (const [k, v] of [...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (k.startsWith('io.kubernetes.') || k.startsWith('annotation.')) continue;
    if (s !== '') s += ', ';
    s += v === '' ? k : `${k}:${v}`;
  }
  return s;
}
