// minikube/audit-policy.yaml, webhook-config.yaml.in and audit-sink.yaml.in,
// rendered by enable-k8s-audit.sh --output-dir with test addresses: each file
// checked against the fields its Kubernetes type has, the AuditSink also
// against kubernetes-models' schema (its last major with auditregistration)
// and the API server's own validation rules; the policy by what it decides for
// typical requests, first matching rule wins as in the API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { AuditSink } from 'kubernetes-models-v2/auditregistration.k8s.io/v1alpha1';

const ROOT = path.resolve(__dirname, '../..');
const MK = path.join(ROOT, 'minikube');
const LABELS = { app: 'vigil-example', role: 'security' };

type Obj = Record<string, any>;

function render(...args: string[]): Record<string, Obj> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-render-'));
  execFileSync('sh', [path.join(MK, 'enable-k8s-audit.sh'), '--output-dir', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Record<string, Obj> = {};
  for (const f of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.doesNotMatch(text.replace(/^\s*#.*$/gm, ''), /\$\{/, `${f}: a placeholder left unfilled`);
    out[f] = YAML.parse(text) as Obj;
  }
  return out;
}

/** Throws naming the first key of `obj` that its type does not have. */
function onlyKeys(where: string, obj: Obj, allowed: string[]): void {
  for (const k of Object.keys(obj)) assert.ok(allowed.includes(k), `${where}: unknown field '${k}' (allowed: ${allowed.join(', ')})`);
}

// --- audit.k8s.io/v1 Policy (fields of k8s.io/apiserver/pkg/apis/audit/v1 Policy and PolicyRule)
const LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

function checkPolicy(p: Obj): void {
  onlyKeys('Policy', p, ['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
  assert.equal(p.apiVersion, 'audit.k8s.io/v1');
  assert.equal(p.kind, 'Policy');
  for (const s of p.omitStages ?? []) assert.ok(STAGES.includes(s), `omitStages: ${s}`);
  assert.ok(Array.isArray(p.rules) && p.rules.length > 0, 'a policy without rules is refused');
  p.rules.forEach((r: Obj, i: number) => {
    const where = `rules[${i}]`;
    onlyKeys(where, r, ['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields']);
    assert.ok(LEVELS.includes(r.level), `${where}.level ${r.level}`);
    for (const v of r.verbs ?? []) assert.ok(VERBS.includes(v), `${where}: verb ${v} is not one an audit event carries`);
    // the API server refuses a rule that names both kinds of request
    assert.ok(!(r.nonResourceURLs && (r.resources || r.namespaces)), `${where}: nonResourceURLs with resources`);
    for (const u of r.nonResourceURLs ?? []) {
      assert.match(u, /^\/[^*]*\*?$/, `${where}: a non-resource URL starts with / and may only end in *`);
    }
    for (const g of r.resources ?? []) {
      onlyKeys(`${where}.resources`, g, ['group', 'resources', 'resourceNames']);
      assert.equal(typeof g.group, 'string', `${where}: group ("" is the core group)`);
      for (const res of g.resources ?? []) assert.match(res, /^[a-z]+(\/[a-z]+)?$/, `${where}: resource ${res}`);
    }
  });
}

interface Request {
  user: string;
  groups?: string[];
  verb: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  path?: string;
}

/** The level the API server gives a request: the first rule that matches it. */
function levelFor(p: Obj, req: Request): string {
  const groups = req.groups ?? ['system:authenticated'];
  for (const r of p.rules as Obj[]) {
    if (r.users && !r.users.includes(req.user)) continue;
    if (r.userGroups && !r.userGroups.some((g: string) => groups.includes(g))) continue;
    if (r.verbs && !r.verbs.includes(req.verb)) continue;
    if (req.path !== undefined) {
      if (r.resources || r.namespaces) continue;
      if (r.nonResourceURLs && !r.nonResourceURLs.some((u: string) => (u.endsWith('*') ? req.path!.startsWith(u.slice(0, -1)) : req.path === u))) continue;
    } else {
      if (r.nonResourceURLs) continue;
      if (r.namespaces && !r.namespaces.includes(req.namespace ?? '')) continue;
      const name = req.subresource ? `${req.resource}/${req.subresource}` : req.resource!;
      if (r.resources && !r.resources.some((g: Obj) => g.group === (req.group ?? '') && (!g.resources || g.resources.includes(name) || g.resources.includes('*')))) continue;
    }
    return r.level;
  }
  return 'None';
}

test('audit-policy.yaml has only the fields of audit.k8s.io/v1 Policy', () => {
  const p = YAML.parse(fs.readFileSync(path.join(MK, 'audit-policy.yaml'), 'utf8')) as Obj;
  checkPolicy(p);
  assert.deepEqual(p.omitStages, ['RequestReceived'], 'ResponseStarted stays: exec/attach sessions produce it');
  assert.throws(() => checkPolicy({ ...p, rules: [...p.rules, { level: 'Everything' }] }), /level Everything/);
  assert.throws(() => checkPolicy({ ...p, rules: [{ level: 'None', nonResourcesURLs: ['/x'] }] }), /unknown field 'nonResourcesURLs'/);
});

test('audit-policy.yaml: what it records for the requests Vigil\'s rules need, and what it drops', () => {
  const p = YAML.parse(fs.readFileSync(path.join(MK, 'audit-policy.yaml'), 'utf8')) as Obj;
  const admin = { user: 'minikube-user', groups: ['system:masters', 'system:authenticated'] };
  const cases: Array<[string, Request, string]> = [
    ['pod created (kubectl run --privileged)', { ...admin, verb: 'create', resource: 'pods', namespace: 'default' }, 'RequestResponse'],
    ['pod deleted', { ...admin, verb: 'delete', resource: 'pods', namespace: 'default' }, 'RequestResponse'],
    ['kubectl exec', { ...admin, verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'default' }, 'RequestResponse'],
    ['kubectl attach', { ...admin, verb: 'get', resource: 'pods', subresource: 'attach', namespace: 'default' }, 'RequestResponse'],
    ['pods listed (kubectl get pods)', { ...admin, verb: 'list', resource: 'pods', namespace: 'default' }, 'Metadata'],
    ['ClusterRole created', { ...admin, verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles' }, 'RequestResponse'],
    ['RoleBinding patched', { ...admin, verb: 'patch', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: 'default' }, 'RequestResponse'],
    ['ConfigMap created', { ...admin, verb: 'create', resource: 'configmaps', namespace: 'default' }, 'Request'],
    ['ConfigMap read', { ...admin, verb: 'get', resource: 'configmaps', namespace: 'default' }, 'Request'],
    ['Secret created', { ...admin, verb: 'create', resource: 'secrets', namespace: 'default' }, 'Metadata'],
    ['Secret read', { ...admin, verb: 'get', resource: 'secrets', namespace: 'default' }, 'Metadata'],
    ['service account token requested', { ...admin, verb: 'create', resource: 'serviceaccounts', subresource: 'token', namespace: 'default' }, 'Metadata'],
    ['NodePort Service created', { ...admin, verb: 'create', resource: 'services', namespace: 'default' }, 'Request'],
    ['Deployment created', { ...admin, verb: 'create', group: 'apps', resource: 'deployments', namespace: 'default' }, 'Metadata'],
    ['Namespace created', { ...admin, verb: 'create', resource: 'namespaces' }, 'Metadata'],
    ['anonymous /version', { user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', path: '/version' }, 'Metadata'],
    ['/healthz', { user: 'system:anonymous', groups: ['system:unauthenticated'], verb: 'get', path: '/healthz' }, 'None'],
    ['/readyz?verbose', { ...admin, verb: 'get', path: '/readyz?verbose' }, 'None'],
    ['discovery by kubectl', { ...admin, verb: 'get', path: '/apis/apps/v1' }, 'None'],
    ['kube-proxy watching endpoints', { user: 'system:kube-proxy', verb: 'watch', resource: 'endpoints' }, 'None'],
    ['kubelet listing pods', { user: 'system:node:minikube', groups: ['system:nodes', 'system:authenticated'], verb: 'list', resource: 'pods' }, 'None'],
    ['kubelet patching pod status', { user: 'system:node:minikube', groups: ['system:nodes', 'system:authenticated'], verb: 'patch', resource: 'pods', subresource: 'status', namespace: 'default' }, 'None'],
    ['kubelet creating a pod (static mirror pod)', { user: 'system:node:minikube', groups: ['system:nodes', 'system:authenticated'], verb: 'create', resource: 'pods', namespace: 'kube-system' }, 'RequestResponse'],
    ['lease renewed', { user: 'system:node:minikube', groups: ['system:nodes'], verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' }, 'None'],
    ['event written', { user: 'system:kube-scheduler', verb: 'create', group: 'events.k8s.io', resource: 'events', namespace: 'default' }, 'None'],
  ];
  for (const [what, req, level] of cases) assert.equal(levelFor(p, req), level, what);
  // Secrets and ConfigMaps are never recorded with their responses, whatever the verb
  for (const resource of ['secrets', 'configmaps']) {
    for (const verb of VERBS) assert.notEqual(levelFor(p, { ...admin, verb, resource, namespace: 'default' }), 'RequestResponse', `${verb} ${resource}`);
  }
});

test('webhook-config.yaml.in renders to a kubeconfig posting to the Service on 8765 at the audit endpoint', () => {
  const { 'webhook-config.yaml': k } = render('--service-ip', '10.96.12.34');
  onlyKeys('kubeconfig', k, ['apiVersion', 'kind', 'clusters', 'users', 'contexts', 'current-context', 'preferences', 'extensions']);
  assert.equal(k.apiVersion, 'v1');
  assert.equal(k.kind, 'Config');
  const ctx = k.contexts.find((c: Obj) => c.name === k['current-context']);
  assert.ok(ctx, 'current-context names a context');
  const cluster = k.clusters.find((c: Obj) => c.name === ctx.context.cluster)?.cluster;
  const user = k.users.find((u: Obj) => u.name === ctx.context.user)?.user;
  assert.ok(cluster && user, 'the context names a cluster and a user of the file');
  onlyKeys('cluster', cluster, ['server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'proxy-url', 'disable-compression', 'extensions']);
  onlyKeys('user', user, ['client-certificate', 'client-certificate-data', 'client-key', 'client-key-data', 'token', 'tokenFile', 'username', 'password', 'extensions']);
  assert.equal(cluster.server, 'http://10.96.12.34:8765/k8s-audit');
  // empty paths are "not set" for a kubeconfig reader
  assert.equal(cluster['certificate-authority'], '');
  assert.equal(user['client-certificate'], '');
  assert.equal(user['client-key'], '');
});

test('webhook-config.yaml.in with https and a client certificate for mutual TLS', () => {
  const { 'webhook-config.yaml': k } = render(
    '--service-ip', '10.96.0.200', '--service-port', '9443', '--scheme', 'https',
    '--ca-file', '/etc/kubernetes/vigil/ca.pem', '--client-cert', '/etc/kubernetes/vigil/apiserver.pem', '--client-key', '/etc/kubernetes/vigil/apiserver-key.pem',
  );
  assert.equal(k.clusters[0].cluster.server, 'https://10.96.0.200:9443/k8s-audit');
  assert.equal(k.clusters[0].cluster['certificate-authority'], '/etc/kubernetes/vigil/ca.pem');
  assert.deepEqual(k.users[0].user, { 'client-certificate': '/etc/kubernetes/vigil/apiserver.pem', 'client-key': '/etc/kubernetes/vigil/apiserver-key.pem' });
  // an IPv6 ClusterIP is bracketed in the URL
  const v6 = render('--service-ip', 'fd00:10:96::1a2b');
  assert.equal(v6['webhook-config.yaml'].clusters[0].cluster.server, 'http://[fd00:10:96::1a2b]:8765/k8s-audit');
});

/** The API server's checks on an AuditSink (pkg/apis/auditregistration/validation). */
function checkAuditSinkLikeApiServer(s: Obj): void {
  const { policy, webhook } = s.spec;
  assert.ok(LEVELS.includes(policy.level), `policy.level ${policy.level}`);
  for (const st of policy.stages ?? []) assert.ok(STAGES.includes(st), `policy.stages: ${st}`);
  if (policy.level !== 'None') assert.ok(policy.stages?.length > 0, 'policy.stages is required unless the level is None');
  if (webhook.throttle) {
    for (const k of ['qps', 'burst']) if (webhook.throttle[k] !== undefined) assert.ok(webhook.throttle[k] > 0, `throttle.${k} must be positive`);
  }
  const cc = webhook.clientConfig;
  assert.ok((cc.url === undefined) !== (cc.service === undefined), 'exactly one of url or service');
  const u = new URL(cc.url);
  assert.ok(u.host !== '' && u.username === '' && u.password === '' && u.hash === '' && u.search === '', 'a host, no user, fragment or query');
}

test('audit-sink.yaml.in renders to a valid auditregistration.k8s.io/v1alpha1 AuditSink', () => {
  const { 'audit-sink.yaml': s } = render('--service-ip', '10.96.12.34');
  assert.doesNotThrow(() => new AuditSink(s as any).validate());
  checkAuditSinkLikeApiServer(s);
  assert.deepEqual(s.metadata.labels, LABELS);
  assert.equal(s.spec.webhook.clientConfig.url, 'http://10.96.12.34:8765/k8s-audit');
  assert.equal(s.spec.policy.level, 'RequestResponse', 'the pod and RBAC rules read bodies');
  assert.deepEqual(s.spec.policy.stages, ['ResponseStarted', 'ResponseComplete']);
  // both validations are live
  assert.throws(() => new AuditSink({ ...s, spec: { ...s.spec, policy: { stages: ['ResponseComplete'] } } } as any).validate(), /level/);
  assert.throws(() => checkAuditSinkLikeApiServer({ ...s, spec: { ...s.spec, policy: { level: 'Metadata' } } }), /stages is required/);
});

test('the script refuses what it cannot fill', () => {
  const run = (...args: string[]): string => {
    try {
      execFileSync('sh', [path.join(MK, 'enable-k8s-audit.sh'), '--output-dir', os.tmpdir(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      return '';
    } catch (e) {
      return String((e as { stderr: Buffer }).stderr);
    }
  };
  assert.match(run('--service-ip', '10.0.0.1; rm -rf /'), /--service-ip must be an IP address, got '10\.0\.0\.1; rm -rf \/'/);
  assert.match(run('--service-ip', '10.0.0.1', '--service-port', 'http'), /--service-port must be a number/);
  assert.match(run('--service-ip', '10.0.0.1', '--scheme', 'ftp'), /--scheme must be http or https/);
  assert.match(run('--service-ip', '10.0.0.1', '--client-cert', '/a.pem'), /--client-cert and --client-key go together/);
  assert.match(run('--service-ip'), /--service-ip needs a value/);
  assert.match(run('--frobnicate'), /unknown argument '--frobnicate'/);
});
