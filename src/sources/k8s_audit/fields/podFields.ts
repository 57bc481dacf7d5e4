// ka.req.pod.* and the older ka.req.container.* / ka.req.volume.* fields. The pod
// spec comes from the request object (a Pod, or the pod template of a
// Deployment, DaemonSet, StatefulSet, ReplicaSet, Job or CronJob). Per-container
// fields exist for containers, initContainers and ephemeralContainers, as in
// Falco's k8saudit plugin; each takes an optional index selecting one container.
import type { FieldDef, Scalar, Value } from '../../../engine/source';
import type { K8sAuditEvent } from '../event';
import { imageRepository } from '../imageName';
import { asText, listValue, prop, prop2, pushText } from '../jsonText';
import { compilePathGlob } from '../pathGlob';
import { indexedField, keyedField, plainField } from './fieldKinds';

type E = K8sAuditEvent;
type Obj = Record<string, unknown>;
type Collect = (container: unknown, out: Scalar[], pod: Obj) => void;

function containersOf(e: E, list: string): { pod: Obj; items: unknown[] } | undefined {
  const pod = e.podSpec;
  if (!pod) return undefined;
  const items = pod[list];
  return Array.isArray(items) ? { pod, items } : undefined;
}

function perContainer(list: string, collect: Collect) {
  return (e: E, index: number): Value => {
    const cs = containersOf(e, list);
    if (!cs) return undefined;
    const out: Scalar[] = [];
    if (index >= 0) {
      if (index < cs.items.length) collect(cs.items[index], out, cs.pod);
    } else {
      for (let i = 0; i < cs.items.length; i++) collect(cs.items[i], out, cs.pod);
    }
    return listValue(out);
  };
}

function securityContext(key: string): Collect {
  return (c, out) => pushText(out, prop2(c, 'securityContext', key));
}

function joinedStrings(key: string): Collect {
  return (c, out) => {
    const parts = prop(c, key);
    if (Array.isArray(parts)) out.push(parts.map((p) => asText(p) ?? '').join(' '));
  };
}

/** The container's own runAsUser/runAsGroup, else the pod's, else 0. */
function effective(key: string): Collect {
  return (c, out, pod) => out.push(asText(prop2(c, 'securityContext', key)) ?? asText(prop2(pod, 'securityContext', key)) ?? '0');
}

const hostPorts: Collect = (c, out) => {
  const ports = prop(c, 'ports');
  if (!Array.isArray(ports)) return;
  // with hostNetwork the container port is the host port
  for (const p of ports) pushText(out, prop(p, 'hostPort') ?? prop(p, 'containerPort'));
};

const addedCapabilities: Collect = (c, out) => {
  const caps = prop2(prop(c, 'securityContext'), 'capabilities', 'add');
  if (Array.isArray(caps)) for (const cap of caps) pushText(out, cap);
};

const image: Collect = (c, out) => pushText(out, prop(c, 'image'));
const repository: Collect = (c, out) => {
  const img = prop(c, 'image');
  if (typeof img === 'string') out.push(imageRepository(img));
};

// [suffix, collector, description tail]
const PER_CONTAINER: [string, Collect, string][] = [
  ['name', (c, out) => pushText(out, prop(c, 'name')), 'names'],
  ['image', image, 'images'],
  ['image.repository', repository, 'image repositories (the image without tag and digest, e.g. falcosecurity/falco)'],
  ['command', joinedStrings('command'), 'commands, each joined with spaces'],
  ['args', joinedStrings('args'), 'args, each joined with spaces'],
  ['privileged', securityContext('privileged'), 'privileged flags (containers that set one)'],
  ['allow_privilege_escalation', securityContext('allowPrivilegeEscalation'), 'allowPrivilegeEscalation flags (containers that set one)'],
  ['read_only_fs', securityContext('readOnlyRootFilesystem'), 'readOnlyRootFilesystem flags (containers that set one)'],
  ['run_as_user', securityContext('runAsUser'), 'runAsUser uids (containers that set one)'],
  ['eff_run_as_user', effective('runAsUser'), 'initial uids: the container runAsUser, else the pod runAsUser, else 0'],
  ['run_as_group', securityContext('runAsGroup'), 'runAsGroup gids (containers that set one)'],
  ['eff_run_as_group', effective('runAsGroup'), 'initial gids: the container runAsGroup, else the pod runAsGroup, else 0'],
  ['proc_mount', securityContext('procMount'), 'procMount types (containers that set one)'],
  ['add_capabilities', addedCapabilities, 'capabilities added'],
  ['host_port', hostPorts, 'hostPort values (containerPort when a port has no hostPort)'],
];

const LISTS: [string, string][] = [
  ['containers', "the containers'"],
  ['initContainers', "the init containers'"],
  ['ephemeralContainers', "the ephemeral containers'"],
];

function containerFields(): FieldDef<E>[] {
  const out: FieldDef<E>[] = [];
  for (const [list, whose] of LISTS) {
    for (const [suffix, collect, what] of PER_CONTAINER) {
      out.push(indexedField(`ka.req.pod.${list}.${suffix}`, `When the request object holds a pod, ${whose} ${what}`, `index: only the i-th entry of ${list}`, perContainer(list, collect)));
    }
  }
  return out;
}

function podText(path: [string, string?]) {
  return (e: E): Value => {
    const pod = e.podSpec;
    return asText(path[1] === undefined ? prop(pod, path[0]) : prop2(pod, path[0], path[1]));
  };
}

function volumes(e: E): unknown[] | undefined {
  const v = prop(e.podSpec, 'volumes');
  return Array.isArray(v) ? v : undefined;
}

function perVolume(collect: (v: unknown, out: Scalar[]) => void) {
  return (e: E, index: number): Value => {
    const vols = volumes(e);
    if (!vols) return undefined;
    const out: Scalar[] = [];
    if (index >= 0) {
      if (index < vols.length) collect(vols[index], out);
    } else for (const v of vols) collect(v, out);
    return listValue(out);
  };
}

const volumeTypes = (v: unknown, out: Scalar[]) => {
  if (v === null || typeof v !== 'object') return;
  for (const k of Object.keys(v)) if (k !== 'name') out.push(k);
};

/** First-container image (or repository) unless an index is given. */
function firstImage(repo: boolean) {
  const get = perContainer('containers', repo ? repository : image);
  return (e: E, index: number): Value => {
    const v = get(e, index < 0 ? 0 : index) as Scalar[] | undefined;
    return v?.[0];
  };
}

function anyPrivileged(e: E, index: number): Value {
  const cs = containersOf(e, 'containers');
  if (!cs) return undefined;
  if (index >= 0) {
    if (index >= cs.items.length) return undefined;
    return prop2(cs.items[index], 'securityContext', 'privileged') === true ? 'true' : 'false';
  }
  for (const c of cs.items) if (prop2(c, 'securityContext', 'privileged') === true) return 'true';
  return 'false';
}

function hostPathMatch(patterns: string) {
  const globs = patterns.split(',').map((p) => compilePathGlob(p.trim()));
  return (e: E): Value => {
    if (!e.podSpec) return undefined;
    const vols = volumes(e);
    if (vols) {
      for (const v of vols) {
        const path = prop2(v, 'hostPath', 'path');
        if (typeof path === 'string' && globs.some((g) => g.test(path))) return 'true';
      }
    }
    return 'false';
  };
}

export const podFields: FieldDef<E>[] = [
  ...containerFields(),
  plainField('ka.req.pod.host_ipc', 'When the request object holds a pod, the value of the hostIPC flag', podText(['hostIPC'])),
  plainField('ka.req.pod.host_network', 'When the request object holds a pod, the value of the hostNetwork flag', podText(['hostNetwork'])),
  plainField('ka.req.pod.host_pid', 'When the request object holds a pod, the value of the hostPID flag', podText(['hostPID'])),
  plainField('ka.req.pod.run_as_user', 'When the request object holds a pod, the runAsUser uid of the pod security context (see ka.req.pod.containers.run_as_user for containers)', podText(['securityContext', 'runAsUser'])),
  plainField('ka.req.pod.run_as_group', 'When the request object holds a pod, the runAsGroup gid of the pod security context (see ka.req.pod.containers.run_as_group for containers)', podText(['securityContext', 'runAsGroup'])),
  plainField('ka.req.pod.fs_group', 'When the request object holds a pod, the fsGroup gid of the pod security context', podText(['securityContext', 'fsGroup'])),
  plainField(
    'ka.req.pod.supplemental_groups',
    'When the request object holds a pod, the supplementalGroups gids of the pod security context',
    (e) => {
      const g = prop2(e.podSpec, 'securityContext', 'supplementalGroups');
      if (!Array.isArray(g)) return undefined;
      const out: Scalar[] = [];
      for (const v of g) pushText(out, v);
      return listValue(out);
    },
    { isList: true },
  ),
  indexedField('ka.req.pod.volumes.hostpath', 'When the request object holds a pod, the hostPath paths of its volumes', 'index: only the i-th volume', perVolume((v, out) => pushText(out, prop2(v, 'hostPath', 'path')))),
  indexedField('ka.req.pod.volumes.flexvolume_driver', 'When the request object holds a pod, the flexVolume drivers of its volumes', 'index: only the i-th volume', perVolume((v, out) => pushText(out, prop2(v, 'flexVolume', 'driver')))),
  indexedField('ka.req.pod.volumes.volume_type', 'When the request object holds a pod, the volume types of its volumes (hostPath, configMap, emptyDir, ...)', 'index: only the i-th volume', perVolume(volumeTypes)),
  indexedField('ka.req.container.image', 'Deprecated by ka.req.pod.containers.image: the image of the first container, or of the i-th with an index', 'index: the i-th container (default 0)', firstImage(false), {}),
  indexedField('ka.req.container.image.repository', 'Deprecated by ka.req.pod.containers.image.repository: the repository of the first container, or of the i-th with an index', 'index: the i-th container (default 0)', firstImage(true), {}),
  plainField('ka.req.container.host_network', 'Deprecated alias for ka.req.pod.host_network', podText(['hostNetwork'])),
  indexedField('ka.req.container.privileged', 'Deprecated by ka.req.pod.containers.privileged: "true" if any container is privileged, or with an index whether the i-th is', 'index: the i-th container', anyPrivileged, {}),
  keyedField('ka.req.volume.hostpath', 'Deprecated by ka.req.pod.volumes.hostpath: "true" if a hostPath volume matches the pattern (glob: * ? [..]; comma-separated patterns), else "false"', 'host path or glob, e.g. /proc*', hostPathMatch),
];
