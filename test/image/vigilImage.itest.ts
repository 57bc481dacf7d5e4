// The container image (Containerfile, built by `npm run image`) run under a real
// container runtime, Debian's podman with runc, with exactly the privileges,
// mounts, environment, arguments and ConfigMap the DaemonSet gives it (read
// from minikube/manifests/, not restated here). It must become ready on
// /healthz, turn audit events POSTed to 8765 into the alerts the same rules
// give offline, and raise a syscall alert for a file read in another container.
//
// Run by `npm run test:image` (the image build takes minutes, so it is not part
// of `npm test`). Needs root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const IMAGE = process.env.VIGIL_IMAGE ?? `localhost/vigil:${VERSION}`;
const BASE = process.env.VIGIL_BASE_IMAGE ?? 'localhost/vigil-base:bookworm';
// this machine's cgroups only let limits go down (README, Container image)
const RUNTIME = ['--runtime', '/usr/sbin/runc'];
const ULIMITS = ['--ulimit', 'nofile=1024:20000', '--ulimit', 'nproc=1000:1000'];
const TRACES = path.join(ROOT, 'test/trace_files/k8s_audit');
const AUDIT_FILES = ['create_nginx_pod_privileged.json', 'create_configmap_sensitive_values.json', 'create_cluster_role_wildcard_verbs.json', 'attach_pod.json'];

type Obj = Record<string, any>;

function manifest(kind: string): Obj {
  const dir = path.join(ROOT, 'minikube/manifests');
  for (const f of fs.readdirSync(dir)) {
    for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'))) {
      const o = d.toJS() as Obj | null;
      if (o?.kind === kind) return o;
    }
  }
  throw new Error(`no ${kind} in minikube/manifests`);
}

/** podman run arguments for the DaemonSet's one container, with the ConfigMap's files in `configDir`. */
function daemonSetRunArgs(configDir: string): { args: string[]; command: string[] } {
  const pod = manifest('DaemonSet').spec.template.spec;
  const c = pod.containers[0];
  const args: string[] = [];
  if (pod.hostPID) args.push('--pid=host');
  if (pod.hostNetwork) args.push('--network=host');
  if (c.securityContext?.privileged) args.push('--privileged');
  for (const e of c.env ?? []) args.push('-e', `${e.name}=${e.value}`);
  const volumes = new Map<string, Obj>(pod.volumes.map((v: Obj) => [v.name, v]));
  for (const m of c.volumeMounts) {
    const v = volumes.get(m.name)!;
    const source = v.hostPath ? v.hostPath.path : v.configMap ? configDir : undefined;
    assert.ok(source, `volume ${m.name}: only hostPath and configMap volumes are expected`);
    args.push('-v', `${source}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
  }
  const limits = c.resources?.limits ?? {};
  if (limits.memory) args.push('--memory', String(limits.memory).replace(/Mi$/, 'm').replace(/Gi$/, 'g'));
  if (limits.cpu) args.push('--cpus', String(limits.cpu).endsWith('m') ? String(Number(String(limits.cpu).slice(0, -1)) / 1000) : String(limits.cpu));
  assert.equal(c.image, IMAGE, 'the DaemonSet runs the image npm run image builds');
  return { args, command: c.args ?? [] };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const skip = process.getuid?.() !== 0 ? 'needs root (privileged container, eBPF probe)' : spawnSync('podman', ['--version']).error ? 'podman is not installed (npm run image installs it)' : undefined;

let agent: ChildProcess | undefined;
let name = '';
let port = 0;
let stdout = '';
let stderr = '';
let configDir = '';

function alerts(): Obj[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Obj);
}

before(async () => {
  if (skip) return;
  assert.equal(spawnSync('podman', ['image', 'exists', IMAGE]).status, 0, `${IMAGE} is not built: run npm run image`);
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-configmap-'));
  for (const [k, v] of Object.entries(manifest('ConfigMap').data as Record<string, string>)) fs.writeFileSync(path.join(configDir, k), v);
  const { args, command } = daemonSetRunArgs(configDir);
  port = await freePort();
  name = `vigil-image-test-${process.pid}`;
  const runArgs = [...RUNTIME, 'run', '--rm', '--name', name, ...ULIMITS, ...args, '-p', `127.0.0.1:${port}:8765`, IMAGE, ...command];
  process.stderr.write(`image test: podman ${runArgs.join(' ')}\n`);
  agent = spawn('podman', runArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  agent.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  agent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // the readiness probe: /healthz answers 200, and the syscall source has started
  await waitFor('/healthz and the syscall capture', 180_000, async () => {
    if (agent!.exitCode !== null) throw new Error(`the container exited (${agent!.exitCode}):\n${stderr}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return r.status === 200 && /syscall: capturing/.test(stderr) ? true : undefined;
    } catch {
      return undefined;
    }
  });
});

after(async () => {
  if (!agent) return;
  spawnSync('podman', [...RUNTIME, 'stop', '-t', '15', name]);
  await waitFor('the container to exit', 30_000, () => (agent!.exitCode !== null ? true : undefined)).catch(() => agent!.kill('SIGKILL'));
  if (process.env.VIGIL_IMAGE_TEST_LOG) fs.writeFileSync(process.env.VIGIL_IMAGE_TEST_LOG, `--- stdout\n${stdout}\n--- stderr\n${stderr}\n`);
});

test('the agent starts in the container with the DaemonSet\'s config, host files and probe', { skip }, () => {
  assert.match(stderr, /k8s_audit: webserver listening on 0\.0\.0\.0:8765\/k8s-audit/);
  assert.match(stderr, /syscall: host files under HOST_ROOT=\/host \(\/host\/proc, \/host\/etc\/passwd\)/);
  assert.match(stderr, /syscall: capturing \d+ syscalls \(\d+ threads read from \/proc\)/);
  // it read the host's processes, not only its own: hostPID and /host/proc
  const threads = Number(/\((\d+) threads read from \/proc\)/.exec(stderr)![1]);
  assert.ok(threads > 20, `${threads} threads`);
});

test('audit events POSTed to 8765 raise the alerts the same rules raise offline', { skip }, async () => {
  // what the ConfigMap's config and rules give offline, with the CLI built here
  const rulesFiles = `[${path.join(ROOT, 'rules')},${path.join(configDir, 'local_rules.yaml')}]`;
  const expected: string[] = [];
  for (const f of AUDIT_FILES) {
    const out = execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), '-c', path.join(configDir, 'vigil.yaml'), '-o', `rules_files=${rulesFiles}`, '-e', path.join(TRACES, f)], { encoding: 'utf8' });
    for (const l of out.split('\n')) if (l.startsWith('{')) expected.push((JSON.parse(l) as Obj).rule);
  }
  for (const rule of ['Create Privileged Pod', 'Create/Modify Configmap With Private Credentials', 'ClusterRole With Wildcard Created', 'Attach/Exec Pod']) {
    assert.ok(expected.includes(rule), `offline: ${rule}`);
  }
  const before = alerts().length;
  for (const f of AUDIT_FILES) {
    const text = fs.readFileSync(path.join(TRACES, f), 'utf8');
    const items = text.trim().startsWith('[') ? (JSON.parse(text) as Obj[]) : text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Obj);
    const body = JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items });
    const r = await fetch(`http://127.0.0.1:${port}/k8s-audit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(r.status, 200, `${f}: ${await r.text()}`);
  }
  const audit = (): Obj[] => alerts().slice(before).filter((x) => x.source === 'k8s_audit');
  await waitFor('the audit alerts', 60_000, () => (audit().length >= expected.length ? true : undefined));
  // any alert beyond the expected ones would have come with the same batches
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(audit().map((a) => a.rule).sort(), expected.sort());
});

test('a file read in another container raises a syscall alert naming that container', { skip }, async () => {
  // the other container: the base image reading /etc/shadow; the second, missing, file marks the
  // command line apart from any other cat of /etc/shadow on this machine (other tests run here too)
  const other = `vigil-image-test-other-${process.pid}`;
  const marker = `/vigil-image-test-${process.pid}`;
  const id = execFileSync('podman', [...RUNTIME, 'run', '-d', '--name', other, ...ULIMITS, BASE, 'sh', '-c', `sleep 1; cat /etc/shadow ${marker} > /dev/null 2>&1; sleep 2`], { encoding: 'utf8' }).trim();
  try {
    const alert = await waitFor('the syscall alert from the other container', 60_000, () =>
      alerts().find((a) => a.rule === 'Read sensitive file untrusted' && a.output_fields?.['proc.cmdline'] === `cat /etc/shadow ${marker}`),
    );
    assert.equal(alert.output_fields['fd.name'], '/etc/shadow');
    assert.equal(alert.output_fields['proc.name'], 'cat');
    assert.equal(alert.output_fields['container.id'], id.slice(0, 12), 'the alert names the other container');
    assert.equal(alert.output_fields['user.name'], 'root');
    assert.equal(alert.priority, 'Warning');
  } finally {
    spawnSync('podman', [...RUNTIME, 'rm', '-f', other]);
  }
});

test('the OCI archive names the image for podman, containerd and docker, and loads back', { skip }, () => {
  const archive = process.env.VIGIL_IMAGE_ARCHIVE ?? path.join(ROOT, 'build/vigil-image.oci.tar');
  const index = JSON.parse(execFileSync('tar', ['-xOf', archive, 'index.json'], { encoding: 'utf8' })) as Obj;
  assert.equal(index.manifests.length, 1);
  const m = index.manifests[0];
  assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(m.annotations, { 'org.opencontainers.image.ref.name': IMAGE, 'io.containerd.image.name': IMAGE });
  // the manifest in the archive is the image's: its config is the image id podman has
  const manifestBlob = JSON.parse(execFileSync('tar', ['-xOf', archive, `blobs/sha256/${m.digest.slice('sha256:'.length)}`], { encoding: 'utf8' })) as Obj;
  const id = execFileSync('podman', ['image', 'inspect', '--format', '{{.Id}}', IMAGE], { encoding: 'utf8' }).trim();
  assert.equal(manifestBlob.config.digest, `sha256:${id}`);
  const loaded = execFileSync('podman', ['load', '-i', archive], { encoding: 'utf8' });
  assert.match(loaded, new RegExp(`Loaded image: ${IMAGE.replace(/[.]/g, '\\.')}`));
});
