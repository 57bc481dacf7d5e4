// container.id from a process's cgroup paths: /proc/PID/cgroup lines
// `hier:controllers:/path`, or the cgroups parameter of exec and clone events
// (`subsys=/path` entries, as falcosecurity/libs sends them). Runtimes name the cgroup after the 64-hex
// container id: docker (`/docker/ID`, `docker-ID.scope`), containerd
// (`cri-containerd-ID.scope`, `/kubepods/.../ID`, and `/default/ID` for containers
// made with its own API in the default namespace), cri-o (`crio-ID.scope`),
// podman (`libpod-ID.scope`, `/libpod_parent/libpod-ID`). Falco shortens the id to 12 characters.

export const HOST_CONTAINER_ID = 'host';

/** the runtime a cgroup path points at; `cri` when only Kubernetes' layout says it is a container */
export type RuntimeHint = 'docker' | 'podman' | 'containerd' | 'cri-o' | 'cri';

/** A container named by a cgroup path: what the runtime lookups start from. */
export interface ContainerRef {
  /** 12 characters, container.id */
  readonly id: string;
  /** the 64-hex id, container.full_id */
  readonly fullId: string;
  readonly hint: RuntimeHint;
}

const ID_RE = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;
const RUNTIME_RE = /(?:docker|cri-containerd|crio|libpod|containerd|kubepods|^\/default\/)/;

function hintOf(path: string): RuntimeHint {
  if (path.includes('libpod')) return 'podman';
  if (path.includes('docker')) return 'docker';
  if (path.includes('crio')) return 'cri-o';
  if (path.includes('containerd') || path.startsWith('/default/')) return 'containerd';
  return 'cri';
}

/** Refs already made, by full id: the same container's execs share one object. */
const refs = new Map<string, ContainerRef>();
const MAX_REFS = 4096;

/** the container a cgroup path names, or undefined on the host */
export function containerRefFromPath(path: string): ContainerRef | undefined {
  if (!RUNTIME_RE.test(path)) return undefined;
  const m = ID_RE.exec(path);
  if (!m) return undefined;
  const full = m[1];
  let ref = refs.get(full);
  if (ref === undefined) {
    if (refs.size >= MAX_REFS) refs.clear();
    ref = { id: full.slice(0, 12), fullId: full, hint: hintOf(path) };
    refs.set(full, ref);
  }
  return ref;
}

/** the container id a cgroup path names, or `host` */
export function containerIdFromPath(path: string): string {
  return containerRefFromPath(path)?.id ?? HOST_CONTAINER_ID;
}

/** the container of the first cgroup line naming one, or undefined on the host */
export function containerRefFromCgroupFile(text: string): ContainerRef | undefined {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':', line.indexOf(':') + 1);
    if (colon < 0) continue;
    const ref = containerRefFromPath(line.slice(colon + 1));
    if (ref) return ref;
  }
  return undefined;
}

/** the container id of the first cgroup line naming one, or `host` */
export function containerIdFromCgroupFile(text: string): string {
  return containerRefFromCgroupFile(text)?.id ?? HOST_CONTAINER_ID;
}

/**
 * The container the cgroups parameter's `subsys=/path` entries name: null on
 * the host, undefined when there are no entries (the caller falls back to /proc).
 */
export function containerRefFromCgroupEntries(entries: readonly string[]): ContainerRef | null | undefined {
  let seen = false;
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq < 0) continue;
    seen = true;
    const ref = containerRefFromPath(e.slice(eq + 1));
    if (ref) return ref;
  }
  return seen ? null : undefined;
}

/** The container id the cgroups parameter's entries name, `host` when none does, or undefined when there are none. */
export function containerIdFromCgroupEntries(entries: readonly string[]): string | undefined {
  const ref = containerRefFromCgroupEntries(entries);
  return ref === undefined ? undefined : ref === null ? HOST_CONTAINER_ID : ref.id;
}
