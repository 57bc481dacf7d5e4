// Audit events shaped like a busy API server's at RequestResponse level for
// writes: the request object as the client sent it and the response object as
// the server stored it (uid, resourceVersion, generation, creationTimestamp,
// managedFields, status), about 1.9 KB an event on average. Most writes are
// the activity the default rules report (deployments, services, configmaps,
// RBAC, service accounts, namespaces created or deleted; pod exec/attach), so
// many events raise alerts; the rest are reads and lease renewals at
// Metadata level, as audit policies usually log them. Seeded: every run
// posts the same events.

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

const NAMESPACES = ['default', 'payments', 'web', 'monitoring', 'ci', 'data', 'kube-system'];
const NODES = ['ip-10-0-1-17.ec2.internal', 'ip-10-0-2-41.ec2.internal', 'ip-10-0-3-8.ec2.internal'];
const IMAGES = ['nginx:1.25.4', 'registry.example.com/payments/api:3.14.2', 'redis:7.2.4', 'postgres:16.2', 'quay.io/prometheus/node-exporter:v1.7.0', 'ghcr.io/acme/worker@sha256:4f1c2b9d'];
const ADMINS = ['kubernetes-admin', 'alice@example.com', 'bob@example.com', 'system:serviceaccount:ci:deployer'];
const UA_KUBECTL = 'kubectl/v1.29.3 (linux/amd64) kubernetes/6813625';
const UA_KUBELET = 'kubelet/v1.29.3 (linux/amd64) kubernetes/6813625';
const UA_HELM = 'Helm/3.14.2';

export function makeRealShapedAuditEvents(count: number, seed = 7): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
    return s;
  };
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  let clock = Date.UTC(2024, 5, 3, 14, 0, 0);
  const micro = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}.${String(Math.floor(r() * 1e6)).padStart(6, '0')}Z`;
  const second = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`;

  const admin = (): Obj => {
    const username = pick(ADMINS);
    return username.startsWith('system:serviceaccount:')
      ? { username, uid: uuid(), groups: ['system:serviceaccounts', 'system:serviceaccounts:ci', 'system:authenticated'], extra: { 'authentication.kubernetes.io/pod-name': [`deployer-${hex(5)}`] } }
      : { username, groups: ['system:masters', 'system:authenticated'] };
  };
  const event = (level: string, verb: string, uri: string, user: Obj, ref: Obj, code: number, ua: string): Obj => {
    clock += Math.floor(r() * 4);
    const e: Obj = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID: uuid(),
      stage: 'ResponseComplete',
      requestURI: uri,
      verb,
      user,
      sourceIPs: [`10.0.${Math.floor(r() * 4)}.${Math.floor(r() * 250)}`],
      userAgent: ua,
      objectRef: ref,
      responseStatus: { metadata: {}, code },
      requestReceivedTimestamp: micro(clock),
      stageTimestamp: micro(clock + 3),
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': code < 300 ? 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"' : '' },
    };
    return e;
  };
  /** metadata as the server stores it: what the client sent plus identity, versions and field ownership */
  const stored = (sent: Obj, manager: string, fields: Obj): Obj => ({
    ...sent,
    uid: uuid(),
    resourceVersion: String(4_000_000 + Math.floor(r() * 1_000_000)),
    generation: 1,
    creationTimestamp: second(clock),
    managedFields: [{ manager, operation: 'Update', apiVersion: 'v1', time: second(clock), fieldsType: 'FieldsV1', fieldsV1: fields }],
  });
  const labels = (app: string): Obj => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'Helm' });
  const container = (app: string): Obj => ({
    name: app,
    image: pick(IMAGES),
    ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
    env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }],
    resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true },
    imagePullPolicy: 'IfNotPresent',
  });

  const deployment = (verb: string, ns: string): Obj => {
    const app = `${pick(['cart', 'checkout', 'search', 'catalog'])}-${hex(3)}`;
    const e = event(verb === 'delete' ? 'Metadata' : 'RequestResponse', verb, `/apis/apps/v1/namespaces/${ns}/deployments${verb === 'create' ? '' : `/${app}`}`, admin(), { resource: 'deployments', namespace: ns, name: app, apiGroup: 'apps', apiVersion: 'v1' }, verb === 'create' ? 201 : 200, pick([UA_KUBECTL, UA_HELM]));
    if (verb === 'delete') return e;
    const spec = { replicas: 3, selector: { matchLabels: { 'app.kubernetes.io/name': app } }, template: { metadata: { labels: labels(app) }, spec: { containers: [container(app)], serviceAccountName: app, securityContext: { runAsUser: 1000, fsGroup: 2000 } } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } } };
    const sent = { name: app, namespace: ns, labels: labels(app), annotations: { 'meta.helm.sh/release-name': app } };
    e.requestObject = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: sent, spec };
    e.responseObject = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: stored(sent, 'helm', { 'f:metadata': { 'f:labels': {} }, 'f:spec': { 'f:replicas': {}, 'f:template': {} } }), spec: { ...spec, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 }, status: {} };
    return e;
  };
  const service = (verb: string, ns: string): Obj => {
    const app = `${pick(['cart', 'checkout', 'search'])}-${hex(3)}`;
    const e = event(verb === 'delete' ? 'Metadata' : 'RequestResponse', verb, `/api/v1/namespaces/${ns}/services${verb === 'create' ? '' : `/${app}`}`, admin(), { resource: 'services', namespace: ns, name: app, apiVersion: 'v1' }, verb === 'create' ? 201 : 200, UA_HELM);
    if (verb === 'delete') return e;
    const spec = { type: 'ClusterIP', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], selector: { 'app.kubernetes.io/name': app } };
    const sent = { name: app, namespace: ns, labels: labels(app) };
    e.requestObject = { kind: 'Service', apiVersion: 'v1', metadata: sent, spec };
    e.responseObject = { kind: 'Service', apiVersion: 'v1', metadata: stored(sent, 'helm', { 'f:spec': { 'f:ports': {}, 'f:selector': {} } }), spec: { ...spec, clusterIP: `172.20.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}`, clusterIPs: ['172.20.0.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster' }, status: { loadBalancer: {} } };
    return e;
  };
  const configMap = (verb: string, ns: string): Obj => {
    const name = `${pick(['app', 'feature', 'nginx'])}-config-${hex(3)}`;
    const e = event('RequestResponse', verb, `/api/v1/namespaces/${ns}/configmaps${verb === 'create' ? '' : `/${name}`}`, admin(), { resource: 'configmaps', namespace: ns, name, apiVersion: 'v1' }, verb === 'create' ? 201 : 200, UA_KUBECTL);
    const data: Obj = { 'app.properties': `log.level=info\ncache.size=${Math.floor(r() * 1000)}\nupstream=http://catalog.${ns}.svc:8080\n`, 'feature-flags.json': '{"newCheckout":true,"betaSearch":false,"darkMode":true}' };
    if (r() < 0.1) data['db.properties'] = 'user=app\npassword=s3cr3t\n';
    const sent = { name, namespace: ns };
    e.requestObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: sent, data };
    e.responseObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: stored(sent, 'kubectl-client-side-apply', { 'f:data': { '.': {}, 'f:app.properties': {} } }), data };
    return e;
  };
  const rbac = (ns: string): Obj => {
    const kind = pick(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'ServiceAccount']);
    const cluster = kind.startsWith('Cluster');
    const name = `${pick(['reader', 'deployer', 'ops'])}-${hex(3)}`;
    const resource = kind === 'ServiceAccount' ? 'serviceaccounts' : `${kind.toLowerCase()}s`;
    const group = kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io';
    const uri = `/${group ? `apis/${group}` : 'api'}/v1${cluster ? '' : `/namespaces/${ns}`}/${resource}`;
    const e = event('RequestResponse', 'create', uri, admin(), { resource, ...(cluster ? {} : { namespace: ns }), name, apiGroup: group, apiVersion: 'v1' }, 201, UA_KUBECTL);
    const sent: Obj = { name, ...(cluster ? {} : { namespace: ns }), labels: { team: pick(['platform', 'payments']) } };
    let body: Obj;
    if (kind === 'ServiceAccount') body = { automountServiceAccountToken: false };
    else if (kind.endsWith('Binding')) body = { subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }], roleRef: { apiGroup: group, kind: cluster ? 'ClusterRole' : 'Role', name: r() < 0.1 ? 'cluster-admin' : 'view' } };
    else body = { rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'pods/log'], verbs: r() < 0.15 ? ['*'] : ['get', 'list', 'watch'] }] };
    e.requestObject = { kind, apiVersion: group ? `${group}/v1` : 'v1', metadata: sent, ...body };
    e.responseObject = { kind, apiVersion: group ? `${group}/v1` : 'v1', metadata: stored(sent, 'kubectl-create', { 'f:metadata': { 'f:labels': {} } }), ...body };
    return e;
  };
  const namespace = (verb: string): Obj => {
    const name = `feature-${hex(4)}`;
    const e = event('RequestResponse', verb, `/api/v1/namespaces${verb === 'create' ? '' : `/${name}`}`, admin(), { resource: 'namespaces', name, apiVersion: 'v1' }, verb === 'create' ? 201 : 200, UA_KUBECTL);
    const sent = { name, labels: { 'kubernetes.io/metadata.name': name } };
    e.requestObject = { kind: 'Namespace', apiVersion: 'v1', metadata: sent };
    e.responseObject = { kind: 'Namespace', apiVersion: 'v1', metadata: stored(sent, 'kubectl-create', { 'f:metadata': { 'f:labels': {} } }), spec: { finalizers: ['kubernetes'] }, status: { phase: verb === 'create' ? 'Active' : 'Terminating' } };
    return e;
  };
  const podCreate = (ns: string): Obj => {
    const app = pick(['cart', 'checkout', 'search']);
    const name = `${app}-${hex(9)}-${hex(5)}`;
    const e = event('RequestResponse', 'create', `/api/v1/namespaces/${ns}/pods`, { username: 'system:serviceaccount:kube-system:replicaset-controller', uid: uuid(), groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] }, { resource: 'pods', namespace: ns, name, apiVersion: 'v1' }, 201, 'kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/system:serviceaccount:kube-system:replicaset-controller');
    const spec = { containers: [container(app)], restartPolicy: 'Always', serviceAccountName: app, dnsPolicy: 'ClusterFirst', securityContext: { runAsUser: 1000 } };
    const sent = { generateName: `${app}-${hex(9)}-`, namespace: ns, labels: labels(app) };
    e.requestObject = { kind: 'Pod', apiVersion: 'v1', metadata: sent, spec };
    e.responseObject = { kind: 'Pod', apiVersion: 'v1', metadata: stored({ ...sent, name }, 'kube-controller-manager', { 'f:metadata': { 'f:ownerReferences': {} }, 'f:spec': { 'f:containers': {} } }), spec: { ...spec, nodeName: pick(NODES), schedulerName: 'default-scheduler', tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] }, status: { phase: 'Pending', qosClass: 'Burstable' } };
    return e;
  };
  const exec = (ns: string): Obj => {
    const pod = `${pick(['cart', 'checkout'])}-${hex(9)}-${hex(5)}`;
    const sub = pick(['exec', 'exec', 'attach', 'portforward']);
    return event('Metadata', 'create', `/api/v1/namespaces/${ns}/pods/${pod}/${sub}?command=sh&container=app&stdin=true&stdout=true&tty=true`, admin(), { resource: 'pods', namespace: ns, name: pod, subresource: sub, apiVersion: 'v1' }, 101, UA_KUBECTL);
  };
  const read = (ns: string): Obj => {
    const res = pick(['pods', 'configmaps', 'secrets', 'services', 'endpoints']);
    const name = `${pick(['cart', 'search', 'db'])}-${hex(5)}`;
    const node = pick(NODES);
    return event('Metadata', 'get', `/api/v1/namespaces/${ns}/${res}/${name}`, { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] }, { resource: res, namespace: ns, name, apiVersion: 'v1' }, 200, UA_KUBELET);
  };
  const lease = (): Obj => {
    const node = pick(NODES);
    return event('Metadata', 'update', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}?timeout=10s`, { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] }, { resource: 'leases', namespace: 'kube-node-lease', name: node, apiGroup: 'coordination.k8s.io', apiVersion: 'v1' }, 200, UA_KUBELET);
  };

  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const x = r();
    const ns = pick(NAMESPACES);
    let e: Obj;
    if (x < 0.14) e = deployment(pick(['create', 'update', 'patch', 'delete']), ns);
    else if (x < 0.24) e = service(pick(['create', 'create', 'delete']), ns);
    else if (x < 0.36) e = configMap(pick(['create', 'update']), ns);
    else if (x < 0.45) e = rbac(ns);
    else if (x < 0.48) e = namespace(pick(['create', 'delete']));
    else if (x < 0.6) e = podCreate(ns);
    else if (x < 0.66) e = exec(ns);
    else if (x < 0.86) e = read(ns);
    else e = lease();
    out.push(JSON.stringify(e));
  }
  return out;
}
