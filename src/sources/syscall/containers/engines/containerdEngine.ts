// containerd's own API (not the CRI): containers made with ctr, nerdctl or
// containerd clients, in any containerd namespace. The OCI spec the container
// was made with gives its command, mounts and namespaces; Kubernetes labels,
// when a client set them, give the pod.
import type { ContainerRef, RuntimeHint } from '../../state/containerId';
import { type ContainerFacts, type ContainerMount, mount } from '../containerInfo';
import type { ContainerEngine } from './engine';
import { method, protoRoot, UnixGrpcClient } from './grpcUnix';
import { type Json, obj, str, stringMap } from './jsonShape';

/** the namespace list is asked again after this long */
const NAMESPACES_TTL_MS = 10_000;
const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

function bindMounts(list: unknown): ContainerMount[] {
  if (!Array.isArray(list)) return [];
  const out: ContainerMount[] = [];
  for (const m of list as Json[]) {
    const options: string[] = Array.isArray(m?.options) ? m.options.map(String) : [];
    if (m?.type !== 'bind' && !options.includes('bind') && !options.includes('rbind')) continue;
    out.push(mount(String(m.source ?? ''), String(m.destination ?? ''), '', !options.includes('ro'), options.find((o) => PROPAGATIONS.has(o)) ?? ''));
  }
  return out;
}

/**
 * ctr --privileged (and the CRI for a privileged pod) leaves no masked paths
 * and grants CAP_SYS_ADMIN: the spec says privileged in no other way.
 */
function privileged(spec: Json): boolean {
  const masked = obj(spec.linux).maskedPaths;
  const bounding = obj(obj(spec.process).capabilities).bounding;
  return (!Array.isArray(masked) || masked.length === 0) && Array.isArray(bounding) && bounding.includes('CAP_SYS_ADMIN');
}

function hostNamespace(spec: Json, type: string): boolean {
  const list = obj(spec.linux).namespaces;
  return Array.isArray(list) && !list.some((n: Json) => n?.type === type && !n.path);
}

export class ContainerdEngine implements ContainerEngine {
  readonly kind = 'containerd';
  readonly hints: readonly RuntimeHint[] = ['containerd', 'cri'];
  private readonly client: UnixGrpcClient;
  private readonly get;
  private readonly list;
  private namespaces: string[] = [];
  private namespacesAt = 0;

  constructor(readonly socket: string) {
    const root = protoRoot('containerd.proto');
    this.get = method(root, 'containerd.services.containers.v1.Containers', 'Get');
    this.list = method(protoRoot('containerd-namespaces.proto'), 'containerd.services.namespaces.v1.Namespaces', 'List');
    this.client = new UnixGrpcClient(socket);
  }

  private async namespaceNames(deadline: number): Promise<string[]> {
    if (Date.now() - this.namespacesAt > NAMESPACES_TTL_MS) {
      const res = await this.client.call(this.list, {}, deadline);
      this.namespaces = Array.isArray(res?.namespaces) ? res.namespaces.map((n: Json) => String(n.name)).filter((n: string) => n !== '') : [];
      this.namespacesAt = Date.now();
    }
    return this.namespaces;
  }

  async inspect(ref: ContainerRef, deadline: number): Promise<ContainerFacts | undefined> {
    for (const ns of await this.namespaceNames(deadline)) {
      const res = await this.client.call(this.get, { id: ref.fullId }, deadline, { 'containerd-namespace': ns });
      if (res?.container) return this.facts(obj(res.container), ref);
    }
    return undefined;
  }

  private facts(c: Json, ref: ContainerRef): ContainerFacts {
    const labels = stringMap(c.labels);
    let spec: Json = {};
    const raw = obj(c.spec).value;
    if (Buffer.isBuffer(raw) && raw.length > 0) {
      try {
        spec = obj(JSON.parse(raw.toString('utf8')));
      } catch {
        spec = {};
      }
    }
    const args = obj(spec.process).args;
    const created = obj(c.created_at);
    const secs = Number(created.seconds ?? 0);
    return {
      fullId: str(c.id) ?? ref.fullId,
      type: 'containerd',
      name: labels['io.kubernetes.container.name'] ?? labels['nerdctl/name'] ?? str(c.id),
      image: str(c.image),
      privileged: privileged(spec),
      mounts: bindMounts(spec.mounts),
      startTs: secs > 0 ? BigInt(secs) * 1_000_000_000n + BigInt(Number(created.nanos ?? 0)) : undefined,
      hostPid: hostNamespace(spec, 'pid'),
      hostNetwork: hostNamespace(spec, 'network'),
      hostIpc: hostNamespace(spec, 'ipc'),
      labels,
      cmdline: Array.isArray(args) ? args.join(' ') : undefined,
      sandboxId: str(c.sandbox),
    };
  }

  close(): void {
    this.client.close();
  }
}
