// minikube/manifests/: every object validated against the Kubernetes schemas
// (kubernetes-models), then checked field by field: labels, namespace, RBAC,
// the DaemonSet's privileges, mounts, ports, probes and resources, the Service,
// and the ConfigMap's configuration and rules read by the agent's own code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { Namespace, ServiceAccount, ConfigMap, Service } from 'kubernetes-models/v1';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { readConfigFile, mergeConfig, builtinDefaults, get } from '../../src/config';
import { checkWebserverConfig, WEBSERVER_DEFAULTS, type WebserverConfig } from '../../src/server/webserverConfig';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'minikube/manifests');
const LABELS = { app: 'vigil-example', role: 'security' };
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Obj = Record<string, any>;

const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

interface Loaded {
  file: string;
  obj: Obj;
}

function loadAll(): Loaded[] {
  const out: Loaded[] = [];
  for (const name of fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(DIR, name), 'utf8'));
    for (const d of docs) {
      assert.deepEqual(d.errors, [], `${name}: YAML errors`);
      const obj = d.toJS() as Obj | null;
      if (obj) out.push({ file: name, obj });
    }
  }
  return out;
}

const all = loadAll();

function one(kind: string): Obj {
  const found = all.filter((l) => l.obj.kind === kind);
  assert.equal(found.length, 1, `exactly one ${kind} in minikube/manifests/`);
  return found[0].obj;
}

test('every manifest validates against its Kubernetes schema', () => {
  assert.deepEqual(
    all.map((l) => `${l.obj.apiVersion}/${l.obj.kind}`).sort(),
    Object.keys(MODELS).sort(),
    'the set of objects: Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, ConfigMap, DaemonSet, Service',
  );
  for (const { file, obj } of all) {
    const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
    assert.doesNotThrow(() => new Model(obj).validate(), `${file}: ${obj.kind}`);
  }
});

test('the schema validation is live: a wrong type in a manifest is rejected', () => {
  const ds = structuredClone(one('DaemonSet'));
  ds.spec.template.spec.containers[0].ports[0].containerPort = '8765';
  assert.throws(() => new DaemonSet(ds).validate(), /containerPort must be integer/);
});

test('every object, the pod template and the Service selector carry app: vigil-example and role: security', () => {
  for (const { file, obj } of all) assert.deepEqual(obj.metadata.labels, LABELS, `${file}: ${obj.kind} labels`);
  const ds = one('DaemonSet');
  assert.deepEqual(ds.spec.template.metadata.labels, LABELS);
  assert.deepEqual(ds.spec.selector.matchLabels, LABELS);
  assert.deepEqual(one('Service').spec.selector, LABELS);
});

test('namespaced objects live in the vigil namespace', () => {
  assert.equal(one('Namespace').metadata.name, 'vigil');
  for (const { file, obj } of all) {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(obj.kind);
    assert.equal(obj.metadata.namespace, clusterScoped ? undefined : 'vigil', `${file}: ${obj.kind} namespace`);
  }
});

test('RBAC: the least privilege is none, and the pods get no API token', () => {
  const sa = one('ServiceAccount');
  assert.equal(sa.metadata.name, 'vigil');
  assert.equal(sa.automountServiceAccountToken, false);
  const role = one('ClusterRole');
  assert.equal(role.metadata.name, 'vigil');
  assert.deepEqual(role.rules, [], 'Vigil reads no Kubernetes API object');
  const binding = one('ClusterRoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'vigil' });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'vigil', namespace: 'vigil' }]);
  const pod = one('DaemonSet').spec.template.spec;
  assert.equal(pod.serviceAccountName, 'vigil');
  assert.equal(pod.automountServiceAccountToken, false);
});

/** The ConfigMap's vigil.yaml read by the agent's own config reader, as `-c` would. */
function configFromConfigMap(): { config: Obj; dir: string } {
  const cm = one('ConfigMap');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cm-'));
  for (const [k, v] of Object.entries(cm.data as Record<string, string>)) fs.writeFileSync(path.join(dir, k), v);
  return { config: mergeConfig(builtinDefaults(), readConfigFile(path.join(dir, 'vigil.yaml'))), dir };
}

test('the ConfigMap holds vigil.yaml and local_rules.yaml, and the agent accepts the configuration', () => {
  const cm = one('ConfigMap');
  assert.equal(cm.metadata.name, 'vigil-config');
  assert.deepEqual(Object.keys(cm.data).sort(), ['local_rules.yaml', 'vigil.yaml']);
  const { config } = configFromConfigMap();
  const web: WebserverConfig = { ...WEBSERVER_DEFAULTS, ...get<Partial<WebserverConfig>>(config, 'webserver', {}) };
  assert.doesNotThrow(() => checkWebserverConfig(web));
  assert.equal(web.enabled, true);
  assert.equal(web.listen_address, '0.0.0.0', 'the Service reaches the pod on its own IP');
  assert.equal(web.listen_port, 8765);
  assert.equal(web.k8s_audit_endpoint, '/k8s-audit');
  assert.equal(web.k8s_healthz_endpoint, '/healthz');
  // the default rules ship in the image (Containerfile: rules/ -> /opt/vigil/rules), local ones in the ConfigMap
  assert.deepEqual(get(config, 'rules_files', []), ['/opt/vigil/rules', '/etc/vigil/local_rules.yaml']);
  assert.match(fs.readFileSync(path.join(ROOT, 'Containerfile'), 'utf8'), /^WORKDIR \/opt\/vigil\n(?:.*\n)*COPY rules\/ rules\/$/m);
  assert.equal(get(config, 'json_output', false), true);
});

function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function podCreate(name: string, image: string): Obj {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: `id-${name}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/vigil/pods',
    verb: 'create',
    user: { username: 'system:serviceaccount:kube-system:daemon-set-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
    sourceIPs: ['192.168.49.2'],
    objectRef: { resource: 'pods', namespace: 'vigil', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestObject: {
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: { generateName: `${name}-`, namespace: 'vigil' },
      spec: { hostPID: true, containers: [{ name: 'c', image, securityContext: { privileged: true } }] },
    },
    responseObject: { kind: 'Pod', apiVersion: 'v1', metadata: { name: `${name}-x1`, namespace: 'vigil' } },
    requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z',
    stageTimestamp: '2026-01-01T00:00:00.010000Z',
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  };
}

test('local_rules.yaml loads after the default rules and trusts Vigil\'s own image, nothing else', async () => {
  const { config, dir } = configFromConfigMap();
  assert.ok(config);
  const events = path.join(dir, 'events.jsonl');
  fs.writeFileSync(events, [podCreate('vigil', `localhost/vigil:${VERSION}`), podCreate('other', 'docker.io/library/busybox:1.36')].map((e) => JSON.stringify(e)).join('\n') + '\n');
  // the ConfigMap's own config, with the rules files at their repository paths
  const rulesFiles = `[${path.join(ROOT, 'rules')},${path.join(dir, 'local_rules.yaml')}]`;
  const r = await vigil(['-c', path.join(dir, 'vigil.yaml'), '-o', `rules_files=${rulesFiles}`, '-e', events]);
  assert.equal(r.code, 0, r.stderr);
  const alerts = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Obj);
  const privileged = alerts.filter((a) => a.rule === 'Create Privileged Pod');
  assert.equal(privileged.length, 1, r.stdout);
  assert.match(privileged[0].output, /images=\(docker\.io\/library\/busybox:1\.36\)/);
  // without the local rules, Vigil's own pod is flagged too: the append is what trusts it
  const bare = await vigil(['-c', path.join(dir, 'vigil.yaml'), '-o', `rules_files=[${path.join(ROOT, 'rules')}]`, '-e', events]);
  assert.equal(bare.stdout.split('\n').filter((l) => l.includes('"Create Privileged Pod"')).length, 2, bare.stdout);
});

interface HostMount {
  mountPath: string;
  hostPath: string;
  type: string;
  readOnly: boolean;
}

function hostMounts(): HostMount[] {
  const pod = one('DaemonSet').spec.template.spec;
  const volumes = new Map<string, Obj>(pod.volumes.map((v: Obj) => [v.name, v]));
  return pod.containers[0].volumeMounts
    .filter((m: Obj) => volumes.get(m.name)?.hostPath)
    .map((m: Obj) => ({ mountPath: m.mountPath, hostPath: volumes.get(m.name)!.hostPath.path, type: volumes.get(m.name)!.hostPath.type, readOnly: m.readOnly === true }));
}

test('DaemonSet: privileged, host PID namespace, the image npm run image builds, the ConfigMap as its config', () => {
  const ds = one('DaemonSet');
  const pod = ds.spec.template.spec;
  assert.equal(pod.hostPID, true);
  assert.equal(pod.hostNetwork, undefined, 'the pod has its own IP, the Service routes to it');
  assert.deepEqual(pod.tolerations, [{ operator: 'Exists' }]);
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.securityContext.privileged, true);
  assert.equal(c.image, `localhost/vigil:${VERSION}`);
  assert.equal(c.imagePullPolicy, 'Never', 'the image is loaded into the node, never pulled');
  assert.deepEqual(c.args, ['-c', '/etc/vigil/vigil.yaml']);
  assert.deepEqual(c.env, [{ name: 'HOST_ROOT', value: '/host' }]);
  const config = c.volumeMounts.find((m: Obj) => m.mountPath === '/etc/vigil');
  assert.deepEqual(config, { name: 'config', mountPath: '/etc/vigil', readOnly: true });
  assert.deepEqual(pod.volumes.find((v: Obj) => v.name === 'config'), { name: 'config', configMap: { name: 'vigil-config' } });
});

test('DaemonSet: host mounts for BTF, tracefs, /proc, /etc and the runtime sockets, all read-only', () => {
  assert.deepEqual(hostMounts(), [
    { mountPath: '/sys/kernel/btf', hostPath: '/sys/kernel/btf', type: 'Directory', readOnly: true },
    { mountPath: '/sys/kernel/tracing', hostPath: '/sys/kernel/tracing', type: 'Directory', readOnly: true },
    { mountPath: '/host/proc', hostPath: '/proc', type: 'Directory', readOnly: true },
    { mountPath: '/host/etc', hostPath: '/etc', type: 'Directory', readOnly: true },
    { mountPath: '/host/run', hostPath: '/run', type: 'Directory', readOnly: true },
  ]);
  // each runtime's usual socket (Docker's /var/run is /run) is reachable below HOST_ROOT
  const sockets = ['/run/containerd/containerd.sock', '/run/crio/crio.sock', '/run/docker.sock', '/run/podman/podman.sock'];
  for (const s of sockets) {
    const m = hostMounts().find((h) => s.startsWith(`${h.hostPath}/`));
    assert.ok(m, `${s} is under a host mount`);
    assert.equal(m.mountPath, `/host${m.hostPath}`, `${s} is at /host${s} in the container`);
  }
});

test('DaemonSet and Service: port 8765 named k8s-audit, probes on /healthz, resources set', () => {
  const c = one('DaemonSet').spec.template.spec.containers[0];
  assert.deepEqual(c.ports, [{ name: 'k8s-audit', containerPort: 8765, protocol: 'TCP' }]);
  for (const probe of [c.readinessProbe, c.livenessProbe]) {
    assert.deepEqual(probe.httpGet, { path: '/healthz', port: 'k8s-audit' });
    assert.ok(probe.timeoutSeconds >= 2 && probe.failureThreshold >= 3, 'a busy agent is not killed for one slow answer');
  }
  assert.ok(c.livenessProbe.initialDelaySeconds > c.readinessProbe.initialDelaySeconds);
  const { requests, limits } = c.resources;
  for (const k of ['cpu', 'memory']) assert.ok(requests[k] !== undefined && limits[k] !== undefined, `${k} request and limit`);
  const mi = (q: string): number => Number(q.replace(/Mi$/, ''));
  const milli = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
  assert.ok(mi(requests.memory) <= mi(limits.memory) && milli(requests.cpu) <= milli(limits.cpu));
  const svc = one('Service');
  assert.equal(svc.metadata.name, 'vigil');
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.deepEqual(svc.spec.ports, [{ name: 'k8s-audit', protocol: 'TCP', port: 8765, targetPort: 'k8s-audit' }]);
});
