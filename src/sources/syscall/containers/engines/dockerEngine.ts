// Docker's and Podman's HTTP APIs on their unix sockets: one inspect per
// container (`/containers/ID/json`; podman's own `/libpod/containers/ID/json`,
// which also names the image and its digest).
import type { ContainerRef, RuntimeHint } from '../../state/containerId';
import { type ContainerFacts, type ContainerMount, mount } from '../containerInfo';
import { type ContainerEngine, EngineError, rfc3339Ns } from './engine';
import { type Json, obj, str, stringMap } from './jsonShape';
import { getJson } from './unixHttp';

function mounts(v: unknown): ContainerMount[] {
  if (!Array.isArray(v)) return [];
  return v.map((m: Json) => mount(String(m?.Source ?? ''), String(m?.Destination ?? ''), String(m?.Mode ?? ''), m?.RW !== false, String(m?.Propagation ?? '')));
}

/** the healthcheck's command as Falco prints it; `NONE` when configured off */
function healthcheck(config: Json): string | undefined {
  const test = config.Healthcheck?.Test;
  if (!Array.isArray(test) || test.length === 0) return undefined;
  if (test[0] === 'NONE') return 'NONE';
  return test.slice(test[0] === 'CMD' || test[0] === 'CMD-SHELL' ? 1 : 0).join(' ') || undefined;
}

function firstIp(settings: Json): string | undefined {
  const direct = str(settings.IPAddress);
  if (direct) return direct;
  for (const n of Object.values(obj(settings.Networks))) {
    const ip = str(obj(n).IPAddress);
    if (ip) return ip;
  }
  return undefined;
}

/** An inspect answer (docker's or podman's) as container facts. */
export function factsFromInspect(doc: unknown, type: string, fullId: string): ContainerFacts {
  const d = obj(doc);
  if (typeof d.Id !== 'string' || !d.Id.startsWith(fullId.slice(0, 12))) {
    throw new EngineError(`the inspect answer is not about container ${fullId.slice(0, 12)} (Id ${JSON.stringify(d.Id)?.slice(0, 80)})`);
  }
  const config = obj(d.Config);
  const host = obj(d.HostConfig);
  const state = obj(d.State);
  const cmd = [str(d.Path), ...(Array.isArray(d.Args) ? d.Args.map(String) : [])].filter((x) => x !== undefined).join(' ');
  return {
    fullId: d.Id,
    type,
    name: str(d.Name)?.replace(/^\//, ''),
    // podman names the image it resolved (localhost/x:tag) beside what the user typed
    image: str(d.ImageName) ?? str(config.Image),
    imageId: str(d.Image),
    imageDigest: str(d.ImageDigest),
    privileged: host.Privileged === true,
    mounts: mounts(d.Mounts),
    healthcheck: healthcheck(config),
    startTs: rfc3339Ns(state.StartedAt) ?? rfc3339Ns(d.Created),
    ip: firstIp(obj(d.NetworkSettings)),
    hostPid: host.PidMode === 'host',
    hostNetwork: host.NetworkMode === 'host',
    hostIpc: host.IpcMode === 'host',
    labels: stringMap(config.Labels),
    cmdline: cmd || undefined,
  };
}

export class DockerEngine implements ContainerEngine {
  readonly hints: readonly RuntimeHint[];

  constructor(
    readonly kind: 'docker' | 'podman',
    readonly socket: string,
  ) {
    this.hints = kind === 'docker' ? ['docker', 'cri'] : ['podman'];
  }

  async inspect(ref: ContainerRef, deadline: number): Promise<ContainerFacts | undefined> {
    const path = this.kind === 'podman' ? `/v4.0.0/libpod/containers/${ref.fullId}/json` : `/containers/${ref.fullId}/json`;
    const doc = await getJson(this.socket, path, deadline);
    if (doc === undefined) return undefined;
    try {
      return factsFromInspect(doc, this.kind, ref.fullId);
    } catch (e) {
      throw new EngineError(`${this.socket}: GET ${path}: ${(e as Error).message}`);
    }
  }

  close(): void {}
}
