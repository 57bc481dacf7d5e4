// Where a request object keeps its pod spec. A Pod holds it in `spec`; the
// workload kinds hold a pod template; a CronJob holds a job template that holds
// a pod template. Kinds are taken from the object, else from the audited resource.

type Obj = Record<string, unknown>;

function objectAt(o: unknown, key: string): Obj | undefined {
  if (o === null || typeof o !== 'object') return undefined;
  const v = (o as Obj)[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}

const TEMPLATE_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Job']);
const TEMPLATE_RESOURCES = new Set(['deployments', 'daemonsets', 'statefulsets', 'replicasets', 'replicationcontrollers', 'jobs']);

/** The pod spec inside `requestObject`, or undefined when it holds none. */
export function findPodSpec(requestObject: unknown, resource: unknown): Obj | undefined {
  const spec = objectAt(requestObject, 'spec');
  if (!spec) return undefined;
  const kind = (requestObject as Obj).kind;
  if (kind === 'Pod' || (kind === undefined && resource === 'pods')) return spec;
  if (kind === 'CronJob' || (kind === undefined && resource === 'cronjobs')) {
    return objectAt(objectAt(objectAt(objectAt(spec, 'jobTemplate'), 'spec'), 'template'), 'spec');
  }
  if (typeof kind === 'string' ? TEMPLATE_KINDS.has(kind) : TEMPLATE_RESOURCES.has(resource as string)) {
    return objectAt(objectAt(spec, 'template'), 'spec');
  }
  return undefined;
}
