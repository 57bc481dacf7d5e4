// container.id from a process's cgroup paths: /proc/PID/cgroup lines
// `hier:controllers:/path`, or the cgroups parameter of exec and clone events
// (`subsys=/path` entries, as falcosecurity/libs sends them). Runtimes name the cgroup after the 64-hex
// container id: docker (`/docker/ID`, `docker-ID.scope`), containerd
// (`cri-containerd-ID.scope`, `/kubepods/.../ID`), cri-o (`crio-ID.scope`),
// podman (`libpod-ID.scope`). Falco shortens the id to 12 characters.

export const HOST_CONTAINER_ID = 'host';

const ID_RE = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;
const RUNTIME_RE = /(?:docker|cri-containerd|crio|libpod|containerd|kubepods)/;

/** the container id a cgroup path names, or `host` */
export function containerIdFromPath(path: string): string {
  if (!RUNTIME_RE.test(path)) return HOST_CONTAINER_ID;
  const m = ID_RE.exec(path);
  return m ? m[1].slice(0, 12) : HOST_CONTAINER_ID;
}

/** the container id of the first cgroup line naming one, or `host` */
export function containerIdFromCgroupFile(text: string): string {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':', line.indexOf(':') + 1);
    if (colon < 0) continue;
    const id = containerIdFromPath(line.slice(colon + 1));
    if (id !== HOST_CONTAINER_ID) return id;
  }
  return HOST_CONTAINER_ID;
}

/**
 * The container id the cgroups parameter's `subsys=/path` entries name, `host`
 * when none does, or undefined when there are no entries (the caller falls back
 * to /proc).
 */
export function containerIdFromCgroupEntries(entries: readonly string[]): string | undefined {
  let seen = false;
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq < 0) continue;
    seen = true;
    const id = containerIdFromPath(e.slice(eq + 1));
    if (id !== HOST_CONTAINER_ID) return id;
  }
  return seen ? HOST_CONTAINER_ID : undefined;
}
