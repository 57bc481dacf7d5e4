// Kubernetes audit EventList bodies for the webserver benchmark, as an API
// server's webhook batches them, in two mixes:
// - realistic: bench/k8sAuditEvents.ts, what a cluster logs all day (lease
//   renewals, kubelet reads, controller lists and watches, some user writes
//   with full objects) with a small share that trips the default rules;
// - real-shaped: bench/realShapedAuditEvents.ts, a busy cluster's writes with
//   full request and response objects (about 1.9 KB an event), many of them
//   activity the default rules report (about 0.65 alerts an event);
// - alert-heavy: a cycle of reads, privileged pod creations, cluster-admin
//   bindings, execs, secret lists and configmaps with keys, so that about 0.8
//   alerts come out per event; a stress case for the alert path, not traffic
//   any cluster sends.
import { makeAuditEvents } from './k8sAuditEvents';
import { makeRealShapedAuditEvents } from './realShapedAuditEvents';

export type AuditMix = 'realistic' | 'real-shaped' | 'alert-heavy';

function pick<T>(xs: readonly T[], n: number): T {
  return xs[n % xs.length];
}

const USERS = ['system:serviceaccount:kube-system:replicaset-controller', 'alice@example.com', 'system:kube-scheduler', 'bob', 'system:node:worker-3'];
const NAMESPACES = ['default', 'kube-system', 'payments', 'monitoring', 'ci'];
const IMAGES = ['nginx:1.25', 'docker.io/library/busybox:1.36', 'quay.io/prometheus/node-exporter:v1.7.0', 'gcr.io/distroless/static:nonroot', 'registry.example.com/payments/api:4.2.1'];

function timestamp(n: number): string {
  const ms = 1_717_000_000_000 + n * 37;
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d{3})Z$/, (_m, f: string) => `.${f}${String(n % 1000).padStart(3, '0')}Z`);
}

function base(n: number, verb: string, resource: string, ns: string, name: string, subresource?: string): Record<string, unknown> {
  const ts = timestamp(n);
  const uri = `/api/v1/namespaces/${ns}/${resource}${verb === 'create' || verb === 'list' ? '' : `/${name}`}${subresource ? `/${subresource}` : ''}`;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: `6f1c2a4e-${String(n).padStart(4, '0')}-4b8e-9d2a-${(n * 2654435761).toString(16).padStart(12, '0').slice(0, 12)}`,
    stage: 'ResponseComplete',
    requestURI: uri,
    verb,
    user: { username: pick(USERS, n), uid: `uid-${n % 97}`, groups: ['system:authenticated', n % 3 === 0 ? 'system:masters' : 'developers'] },
    sourceIPs: [`10.0.${n % 250}.${(n * 7) % 250}`],
    userAgent: 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625',
    objectRef: { resource, namespace: ns, name, apiVersion: 'v1', ...(subresource ? { subresource } : {}) },
    responseStatus: { metadata: {}, code: verb === 'create' ? 201 : 200 },
    requestReceivedTimestamp: ts,
    stageTimestamp: ts,
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'RBAC: allowed by ClusterRoleBinding "admins"' },
  };
}

function podCreate(n: number): Record<string, unknown> {
  const ns = pick(NAMESPACES, n);
  const name = `web-${n.toString(36)}`;
  const e = base(n, 'create', 'pods', ns, name);
  e.requestObject = {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace: ns, labels: { app: 'web', tier: pick(['frontend', 'backend'], n) } },
    spec: {
      hostNetwork: n % 11 === 0,
      hostPID: n % 13 === 0,
      containers: [
        {
          name: 'main',
          image: pick(IMAGES, n),
          command: ['/bin/sh', '-c', 'exec /app/server --port=8080'],
          args: ['--log-level=info'],
          ports: [{ containerPort: 8080, protocol: 'TCP', ...(n % 17 === 0 ? { hostPort: 8080 } : {}) }],
          securityContext: { privileged: n % 7 === 0, allowPrivilegeEscalation: n % 5 === 0, runAsUser: n % 4 === 0 ? 0 : 1000 },
          resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [n % 9 === 0 ? { name: 'data', hostPath: { path: '/proc', type: 'Directory' } } : { name: 'data', emptyDir: {} }],
    },
  };
  return e;
}

function roleBinding(n: number): Record<string, unknown> {
  const ns = pick(NAMESPACES, n);
  const e = base(n, 'create', 'clusterrolebindings', ns, `bind-${n}`);
  e.requestObject = {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: `bind-${n}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: n % 2 ? 'cluster-admin' : 'view' },
    subjects: [{ kind: 'User', name: pick(USERS, n + 1), apiGroup: 'rbac.authorization.k8s.io' }],
  };
  return e;
}

function configMap(n: number): Record<string, unknown> {
  const ns = pick(NAMESPACES, n);
  const e = base(n, 'update', 'configmaps', ns, `settings-${n % 20}`);
  e.requestObject = {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: `settings-${n % 20}`, namespace: ns },
    data: { 'app.properties': `db.host=db.${ns}.svc\ndb.user=app\nfeature.flags=a,b,c\n`, ...(n % 6 === 0 ? { aws_access_key_id: 'AKIAEXAMPLE' } : {}) },
  };
  return e;
}

/** The n-th event of a deterministic, varied stream. */
export function auditEvent(n: number): Record<string, unknown> {
  switch (n % 8) {
    case 0:
      return podCreate(n);
    case 1:
      return roleBinding(n);
    case 2:
      return configMap(n);
    case 3:
      return base(n, 'create', 'pods', pick(NAMESPACES, n), `web-${n}`, 'exec');
    case 4:
      return base(n, 'list', 'secrets', pick(NAMESPACES, n), '');
    default:
      return base(n, 'get', pick(['pods', 'services', 'endpoints'], n), pick(NAMESPACES, n), `obj-${n % 50}`);
  }
}

/** `count` EventList bodies of `size` events each of one mix, as the bytes a webhook would send. */
export function eventListBodies(size: number, count: number, mix: AuditMix): Buffer[] {
  const n = size * count;
  const events = mix === 'realistic' ? makeAuditEvents(n) : mix === 'real-shaped' ? makeRealShapedAuditEvents(n) : Array.from({ length: n }, (_, k) => JSON.stringify(auditEvent(k)));
  const out: Buffer[] = [];
  for (let b = 0; b < count; b++) {
    const items = events.slice(b * size, (b + 1) * size).join(',');
    out.push(Buffer.from(`{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[${items}]}`));
  }
  return out;
}
