// Generator of realistic, varied Kubernetes audit events for the k8s_audit
// benchmark: mostly what an API server logs all day (kubelets and controllers
// reading, watching and renewing leases), then user writes with full request
// and response objects (pods, deployments, services, configmaps, RBAC), and a
// small share of events that trip the default rules. Seeded, so every run
// evaluates the same trace.

type Obj = Record<string, unknown>;

/** mulberry32: small, fast, deterministic */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMESPACES = ['default', 'kube-system', 'payments', 'web', 'monitoring', 'ci', 'data'];
const NODES = ['ip-10-0-1-17', 'ip-10-0-2-41', 'ip-10-0-3-8', 'ip-10-0-1-92'];
const SYSTEM_IMAGES = ['registry.k8s.io/kube-proxy:v1.29.2', 'registry.k8s.io/coredns/coredns:v1.11.1', 'registry.k8s.io/metrics-server/metrics-server:v0.7.0'];
const IMAGES = ['nginx:1.25.4', 'registry.example.com/payments/api:3.14.2', 'redis:7.2', 'postgres:16.2', 'busybox:1.36', 'quay.io/prometheus/node-exporter:v1.7.0', 'ghcr.io/acme/worker@sha256:4f1c2b'];
const CONTROLLERS = ['replicaset-controller', 'deployment-controller', 'endpointslice-controller', 'job-controller', 'namespace-controller', 'generic-garbage-collector'];
const USERS = ['kubernetes-admin', 'admin', 'minikube-user'];

export function makeAuditEvents(count: number, seed = 42): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const hex = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  let clock = Date.UTC(2024, 4, 14, 9, 0, 0);
  const stamp = (ms: number, us: number) => `${new Date(ms).toISOString().slice(0, 19)}.${String(us).padStart(6, '0')}Z`;

  const base = (verb: string, uri: string, user: Obj, ref: Obj | undefined, code: number, ua: string): Obj => {
    clock += Math.floor(r() * 5);
    const us = Math.floor(r() * 1e6);
    const e: Obj = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: uuid(),
      stage: r() < 0.93 ? 'ResponseComplete' : 'ResponseStarted',
      requestURI: uri,
      verb,
      user,
      sourceIPs: [`10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 250)}`],
      userAgent: ua,
    };
    if (ref) e.objectRef = ref;
    e.responseStatus = { metadata: {}, code };
    e.requestReceivedTimestamp = stamp(clock, us);
    e.stageTimestamp = stamp(clock + 2, us);
    e.annotations = { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' };
    return e;
  };
  const nodeUser = (node: string): Obj => ({ username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] });
  const saUser = (sa: string): Obj => ({ username: `system:serviceaccount:kube-system:${sa}`, uid: hex(8), groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] });
  const adminUser = (): Obj => ({ username: pick(USERS), groups: ['system:masters', 'system:authenticated'] });

  const container = (i: number, privileged: boolean, ns: string): Obj => ({
    name: `c${i}`,
    image: pick(ns === 'kube-system' ? SYSTEM_IMAGES : IMAGES),
    ports: [{ containerPort: 8080 + i, protocol: 'TCP' }],
    env: [{ name: 'LOG_LEVEL', value: 'info' }],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    securityContext: privileged ? { privileged: true } : { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true },
    imagePullPolicy: 'IfNotPresent',
  });
  const podSpec = (suspicious: boolean, ns: string): Obj => {
    const n = 1 + Math.floor(r() * 3);
    const containers = [];
    for (let i = 0; i < n; i++) containers.push(container(i, suspicious && i === n - 1 && r() < 0.5, ns));
    const spec: Obj = { containers, restartPolicy: 'Always', serviceAccountName: 'default', securityContext: {}, dnsPolicy: 'ClusterFirst' };
    if (suspicious && r() < 0.5) spec.volumes = [{ name: 'host', hostPath: { path: pick(['/proc', '/var/run/docker.sock', '/etc', '/var/log']) } }];
    else spec.volumes = [{ name: 'cfg', configMap: { name: 'app-config' } }];
    if (suspicious && r() < 0.3) spec.hostNetwork = true;
    return spec;
  };
  const withObjects = (e: Obj, req: Obj, resp: Obj) => {
    e.level = 'RequestResponse';
    e.requestObject = req;
    e.responseObject = resp;
    return e;
  };
  const meta = (name: string, ns?: string): Obj => ({ name, ...(ns ? { namespace: ns } : {}), labels: { app: name.split('-')[0] }, uid: uuid(), resourceVersion: String(100000 + Math.floor(r() * 900000)) });

  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    const ns = pick(NAMESPACES);
    let e: Obj;
    if (x < 0.3) {
      const node = pick(NODES);
      e = base('update', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}?timeout=10s`, nodeUser(node), { resource: 'leases', namespace: 'kube-node-lease', name: node, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' }, 200, 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819');
    } else if (x < 0.55) {
      const res = pick(['pods', 'configmaps', 'secrets', 'services', 'endpoints']);
      const name = `${pick(['api', 'web', 'worker', 'db'])}-${hex(5)}`;
      e = base('get', `/api/v1/namespaces/${ns}/${res}/${name}`, nodeUser(pick(NODES)), { resource: res, namespace: ns, name, apiVersion: 'v1' }, r() < 0.9 ? 200 : 404, 'kubelet/v1.29.2 (linux/amd64) kubernetes/4b8e819');
    } else if (x < 0.75) {
      const res = pick(['pods', 'replicasets', 'deployments', 'endpointslices', 'jobs']);
      const watch = r() < 0.5;
      e = base(watch ? 'watch' : 'list', `/api/v1/${res}?${watch ? 'allowWatchBookmarks=true&resourceVersion=48211&timeout=7m2s&watch=true' : 'limit=500&resourceVersion=0'}`, saUser(pick(CONTROLLERS)), { resource: res, apiVersion: 'v1' }, 200, 'kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/shared-informers');
    } else if (x < 0.85) {
      const name = `${pick(['api', 'web', 'worker'])}-${hex(8)}-${hex(5)}`;
      const suspicious = r() < 0.05;
      const spec = podSpec(suspicious, ns);
      const ctrl = r() < 0.8;
      e = base('create', `/api/v1/namespaces/${ns}/pods`, ctrl ? saUser('replicaset-controller') : adminUser(), { resource: 'pods', namespace: ns, name, apiVersion: 'v1' }, 201, ctrl ? 'kube-controller-manager/v1.29.2 (linux/amd64) kubernetes/4b8e819/system:serviceaccount:kube-system:replicaset-controller' : 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819');
      withObjects(e, { kind: 'Pod', apiVersion: 'v1', metadata: meta(name, ns), spec }, { kind: 'Pod', apiVersion: 'v1', metadata: meta(name, ns), spec: { ...spec, nodeName: pick(NODES) }, status: { phase: 'Pending', qosClass: 'Burstable' } });
    } else if (x < 0.9) {
      const name = `${pick(['api', 'web', 'worker'])}-${hex(4)}`;
      const verb = pick(['create', 'patch', 'patch', 'update', 'update', 'update', 'delete']);
      const tpl = { metadata: { labels: { app: name } }, spec: podSpec(false, ns) };
      e = base(verb, `/apis/apps/v1/namespaces/${ns}/deployments${verb === 'create' ? '' : `/${name}`}`, adminUser(), { resource: 'deployments', namespace: ns, name, apiGroup: 'apps', apiVersion: 'v1' }, verb === 'create' ? 201 : 200, 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819');
      if (verb !== 'delete') withObjects(e, { kind: 'Deployment', apiVersion: 'apps/v1', metadata: meta(name, ns), spec: { replicas: 3, selector: { matchLabels: { app: name } }, template: tpl } }, { kind: 'Deployment', apiVersion: 'apps/v1', metadata: meta(name, ns), spec: { replicas: 3, template: tpl }, status: {} });
    } else if (x < 0.95) {
      const name = `${pick(['app', 'feature', 'nginx'])}-config-${hex(3)}`;
      const data: Obj = { 'app.properties': `log.level=info\ncache.size=${Math.floor(r() * 1000)}\n`, 'feature-flags.json': '{"newCheckout":true,"betaSearch":false}' };
      if (r() < 0.02) data['db.properties'] = 'user=app\npassword=s3cr3t\n';
      const verb = pick(['create', 'update', 'update', 'patch', 'patch']);
      e = base(verb, `/api/v1/namespaces/${ns}/configmaps${verb === 'create' ? '' : `/${name}`}`, adminUser(), { resource: 'configmaps', namespace: ns, name, apiVersion: 'v1' }, verb === 'create' ? 201 : 200, 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819');
      withObjects(e, { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta(name, ns), data }, { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta(name, ns), data });
    } else if (x < 0.975) {
      const kind = pick(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'Service']);
      const name = `${pick(['reader', 'deployer', 'ops', 'svc'])}-${hex(3)}`;
      const resource = kind === 'Service' ? 'services' : `${kind.toLowerCase()}s`;
      const cluster = kind.startsWith('Cluster');
      e = base('create', kind === 'Service' ? `/api/v1/namespaces/${ns}/services` : `/apis/rbac.authorization.k8s.io/v1${cluster ? '' : `/namespaces/${ns}`}/${resource}`, adminUser(), { resource, ...(cluster ? {} : { namespace: ns }), name, apiVersion: 'v1' }, 201, 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819');
      let req: Obj;
      if (kind === 'Service') req = { kind, apiVersion: 'v1', metadata: meta(name, ns), spec: { type: r() < 0.1 ? 'NodePort' : 'ClusterIP', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: name } } };
      else if (kind.endsWith('Binding')) req = { kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: meta(name, cluster ? undefined : ns), subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: cluster ? 'ClusterRole' : 'Role', name: r() < 0.05 ? 'cluster-admin' : 'view' } };
      else req = { kind, apiVersion: 'rbac.authorization.k8s.io/v1', metadata: meta(name, cluster ? undefined : ns), rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: r() < 0.1 ? ['*'] : ['get', 'list', 'watch'] }] };
      withObjects(e, req, req);
    } else {
      const pod = `${pick(['api', 'web'])}-${hex(8)}-${hex(5)}`;
      const sub = pick(['exec', 'log', 'status', 'portforward']);
      const user = r() < 0.3 ? { username: `dev-${pick(['alice', 'bob', 'carol'])}`, groups: ['developers', 'system:authenticated'] } : adminUser();
      e = base(sub === 'log' ? 'get' : 'create', `/api/v1/namespaces/${ns}/pods/${pod}/${sub}${sub === 'exec' ? '?command=sh&container=c0&stdin=true&stdout=true&tty=true' : ''}`, user, { resource: 'pods', namespace: ns, name: pod, subresource: sub, apiVersion: 'v1' }, sub === 'exec' ? 101 : 200, 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819');
    }
    out.push(JSON.stringify(e));
  }
  return out;
}
