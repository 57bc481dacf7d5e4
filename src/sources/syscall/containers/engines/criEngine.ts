// The Kubernetes CRI (runtime.v1) on containerd's or CRI-O's socket:
// ContainerStatus (verbose: the runtime's info JSON with the sandbox id, the
// container's config and OCI spec), then PodSandboxStatus for the pod's name,
// namespace, uid, labels, ip and CNI result. A pod's sandbox (pause) container
// is described by its sandbox alone.
import type { ContainerRef, RuntimeHint } from '../../state/containerId';
import { type ContainerFacts, type ContainerMount, mount } from '../containerInfo';
import type { ContainerEngine } from './engine';
import { method, protoRoot, UnixGrpcClient } from './grpcUnix';
import { type Json, nsOf, obj, parseObj, str, stringMap } from './jsonShape';

const SERVICE = 'runtime.v1.RuntimeService';
/** NamespaceMode NODE: the host's namespace */
const NODE = 2;
const PROPAGATION = ['private', 'rslave', 'rshared'];

function mounts(list: unknown): ContainerMount[] {
  if (!Array.isArray(list)) return [];
  return list.map((m: Json) => mount(String(m.host_path ?? ''), String(m.container_path ?? ''), '', m.readonly !== true, PROPAGATION[m.propagation] ?? ''));
}

/** containerd puts the sandbox's CNI result in its verbose info; CRI-O does not */
function cniJson(info: Json): string | undefined {
  const r = info.cniResult ?? info.cni_result;
  return r === undefined || r === null ? undefined : JSON.stringify(r);
}

export class CriEngine implements ContainerEngine {
  readonly kind = 'cri';
  readonly hints: readonly RuntimeHint[] = ['containerd', 'cri-o', 'cri'];
  private readonly client: UnixGrpcClient;
  private readonly containerStatus;
  private readonly sandboxStatus;
  /** container.type: what this socket's runtime is */
  private readonly type: string;

  constructor(readonly socket: string) {
    const root = protoRoot('cri-api.proto');
    this.containerStatus = method(root, SERVICE, 'ContainerStatus');
    this.sandboxStatus = method(root, SERVICE, 'PodSandboxStatus');
    this.client = new UnixGrpcClient(socket);
    this.type = socket.includes('crio') ? 'cri-o' : socket.includes('containerd') ? 'containerd' : 'cri';
  }

  async inspect(ref: ContainerRef, deadline: number): Promise<ContainerFacts | undefined> {
    const res = await this.client.call(this.containerStatus, { container_id: ref.fullId, verbose: true }, deadline);
    if (res === undefined || !res.status) return this.sandbox(ref, deadline);
    const s = obj(res.status);
    const info = parseObj(obj(res.info).info);
    const config = obj(info.config);
    const security = obj(obj(config.linux).security_context);
    const ns = obj(security.namespace_options);
    const spec = obj(info.runtimeSpec);
    const args = obj(spec.process).args;
    const labels = stringMap(s.labels);
    const imageRef = str(s.image_ref);
    const facts: ContainerFacts = {
      fullId: str(s.id) ?? ref.fullId,
      type: this.type,
      name: str(obj(s.metadata).name),
      image: str(obj(s.image).image) ?? imageRef,
      imageId: imageRef?.startsWith('sha256:') ? imageRef : str(s.image_id),
      imageDigest: imageRef?.includes('@') ? imageRef.slice(imageRef.indexOf('@') + 1) : undefined,
      privileged: typeof security.privileged === 'boolean' ? security.privileged : typeof info.privileged === 'boolean' ? info.privileged : false,
      mounts: mounts(s.mounts),
      startTs: nsOf(s.started_at) ?? nsOf(s.created_at),
      hostPid: ns.pid === NODE,
      hostNetwork: ns.network === NODE,
      hostIpc: ns.ipc === NODE,
      labels,
      cmdline: Array.isArray(args) ? args.join(' ') : undefined,
      sandboxId: str(info.sandboxID) ?? labels['io.kubernetes.sandbox.id'],
    };
    if (facts.sandboxId) await this.addPod(facts, facts.sandboxId, deadline);
    return facts;
  }

  /** the pod of a sandbox id into facts; false when the runtime does not know the sandbox */
  private async addPod(facts: ContainerFacts, sandboxId: string, deadline: number): Promise<boolean> {
    const res = await this.client.call(this.sandboxStatus, { pod_sandbox_id: sandboxId, verbose: true }, deadline);
    if (res === undefined || !res.status) return false;
    const s = obj(res.status);
    const meta = obj(s.metadata);
    const info = parseObj(obj(res.info).info);
    const opts = obj(obj(obj(s.linux).namespaces).options);
    facts.podName = str(meta.name);
    facts.podNamespace = str(meta.namespace);
    facts.podUid = str(meta.uid);
    facts.podLabels = stringMap(s.labels);
    facts.podIp = str(obj(s.network).ip);
    facts.cniJson = cniJson(info);
    facts.sandboxId = str(s.id) ?? sandboxId;
    facts.hostNetwork ||= opts.network === NODE;
    facts.hostPid ||= opts.pid === NODE;
    facts.hostIpc ||= opts.ipc === NODE;
    return true;
  }

  /** an id that is no container of this runtime may be a pod's sandbox */
  private async sandbox(ref: ContainerRef, deadline: number): Promise<ContainerFacts | undefined> {
    const facts: ContainerFacts = { fullId: ref.fullId, type: this.type, sandboxId: ref.fullId, privileged: false };
    if (!(await this.addPod(facts, ref.fullId, deadline))) return undefined;
    // as libs names a sandbox container: after its pod
    facts.name = facts.podName;
    return facts;
  }

  close(): void {
    this.client.close();
  }
}
