// The `container_engines` configuration: one key per runtime, each with
// `enabled` and `sockets` (the container plugin's `engines` shape, Falco's
// older top-level key name), plus how lookups are paced. Bad values are
// refused at start with the key that is wrong.
import { type ConfigTree, ConfigError, get } from '../../../config';
import { ContainerdEngine } from './engines/containerdEngine';
import { CriEngine } from './engines/criEngine';
import { DockerEngine } from './engines/dockerEngine';
import type { ContainerEngine } from './engines/engine';
import type { StoreOptions } from './containerStore';

export type EngineKind = 'docker' | 'podman' | 'containerd' | 'cri';

/** The sockets each runtime listens on by default (Falco's container plugin's defaults). */
export const DEFAULT_SOCKETS: Readonly<Record<EngineKind, readonly string[]>> = {
  cri: ['/run/containerd/containerd.sock', '/run/crio/crio.sock', '/run/k3s/containerd/containerd.sock', '/run/host-containerd/containerd.sock'],
  containerd: ['/run/containerd/containerd.sock', '/run/k3s/containerd/containerd.sock', '/run/host-containerd/containerd.sock'],
  docker: ['/var/run/docker.sock'],
  podman: ['/run/podman/podman.sock'],
};

/** asked in this order: the CRI knows pods, containerd's own API the containers the CRI did not make */
const ORDER: readonly EngineKind[] = ['cri', 'containerd', 'docker', 'podman'];

type Pacing = 'timeoutMs' | 'maxPerSecond' | 'maxConcurrent' | 'attempts' | 'maxContainers';

const PACING: Readonly<Record<string, Pacing>> = {
  lookup_timeout_ms: 'timeoutMs',
  max_lookups_per_second: 'maxPerSecond',
  max_concurrent_lookups: 'maxConcurrent',
  lookup_attempts: 'attempts',
  max_containers: 'maxContainers',
};

export interface EnginesConfig {
  engines: { kind: EngineKind; socket: string }[];
  pacing: Partial<Pick<StoreOptions, Pacing>>;
}

function tree(v: unknown, where: string): ConfigTree {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`${where}: expected a mapping, got ${JSON.stringify(v)}`);
  return v as ConfigTree;
}

/**
 * A default socket as seen from inside a container that has the host's
 * root under `hostRoot` (HOST_ROOT, as the DaemonSet mounts it): the host's
 * /var/run is a symlink to /run, which would resolve inside the container,
 * so /var/run paths are taken from /run.
 */
export function hostSocket(path: string, hostRoot: string | undefined): string {
  if (!hostRoot) return path;
  return `${hostRoot.replace(/\/+$/, '')}${path.replace(/^\/var\/run\//, '/run/')}`;
}

/**
 * `hostRoot`: where the host's root is mounted when Vigil runs in a container
 * (HOST_ROOT); the default sockets are looked for under it. Sockets given in
 * the configuration are taken as they are written.
 */
export function readEnginesConfig(config: ConfigTree, hostRoot?: string): EnginesConfig {
  const section = tree(get<unknown>(config, 'container_engines', {}), 'container_engines');
  const engines: EnginesConfig['engines'] = [];
  const pacing: EnginesConfig['pacing'] = {};
  for (const key of Object.keys(section)) {
    if (!(key in DEFAULT_SOCKETS) && !(key in PACING)) {
      throw new ConfigError(`container_engines.${key}: unknown key (engines: ${ORDER.join(', ')}; settings: ${Object.keys(PACING).join(', ')})`);
    }
  }
  for (const [key, field] of Object.entries(PACING)) {
    const v = section[key];
    if (v === undefined || v === null) continue;
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1_000_000) {
      throw new ConfigError(`container_engines.${key}: expected a whole number from 1 to 1000000, got ${JSON.stringify(v)}`);
    }
    pacing[field] = n;
  }
  for (const kind of ORDER) {
    const e = tree(section[kind], `container_engines.${kind}`);
    const enabled = e.enabled ?? true;
    if (typeof enabled !== 'boolean') throw new ConfigError(`container_engines.${kind}.enabled: expected true or false, got ${JSON.stringify(enabled)}`);
    if (!enabled) continue;
    const sockets = e.sockets ?? DEFAULT_SOCKETS[kind].map((p) => hostSocket(p, hostRoot));
    if (!Array.isArray(sockets) || sockets.some((s) => typeof s !== 'string' || s === '')) {
      throw new ConfigError(`container_engines.${kind}.sockets: expected a list of socket paths, got ${JSON.stringify(sockets)}`);
    }
    for (const socket of sockets as string[]) engines.push({ kind, socket });
  }
  return { engines, pacing };
}

export function makeEngine(kind: EngineKind, socket: string): ContainerEngine {
  switch (kind) {
    case 'cri':
      return new CriEngine(socket);
    case 'containerd':
      return new ContainerdEngine(socket);
    default:
      return new DockerEngine(kind, socket);
  }
}
