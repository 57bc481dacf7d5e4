// Container metadata from real runtimes: podman (API service), containerd's
// own API (a ctr container with Kubernetes labels) and containerd's CRI (a pod
// sandbox and a container in it). The agent runs as `vigil` does; an action
// inside each container raises an alert that carries the container's name,
// image and pod, in the fields and in the appended suggested output. The
// container events reach the rules that ask for them.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { liveSkipReason } from '../liveSupport';
import { buildImage, ContainerdHost, IMAGE, missingTools, PodmanHost } from './runtimeHosts';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'src', 'cli.ts');
const skip = liveSkipReason();
if (skip) process.stderr.write(`\n*** live container runtime tests SKIPPED: ${skip} ***\n\n`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rt-live-'));
const podman = new PodmanHost(dir);
const containerd = new ContainerdHost(dir);
let agent: { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } | undefined;

interface Alert {
  rule: string;
  output: string;
  output_fields: Record<string, unknown>;
}

function alerts(): Alert[] {
  return (agent?.out() ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Alert);
}

async function until(what: string, check: () => boolean, act?: () => void, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nstderr:\n${agent?.err()}\nstdout:\n${agent?.out()}`);
    act?.();
    await new Promise((r) => setTimeout(r, 300));
  }
}

before(async () => {
  if (skip) return;
  const missing = missingTools();
  // scripts/setup-containers.sh installs them: missing ones are a failed setup, not a reason to skip
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} (scripts/setup-containers.sh installs them as root)`);
  const t0 = Date.now();
  const step = (what: string): void => void process.stderr.write(`runtimes live: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  const archive = buildImage(dir);
  step('image built');
  await Promise.all([podman.start().then(() => step('podman container running')), containerd.start(archive).then(() => step('containerd containers running'))]);
  const rules = path.join(dir, 'rules.yaml');
  fs.writeFileSync(rules, `
- rule: Marker read in a container
  desc: a process in a container opened the test's marker file
  condition: evt.type in (open, openat) and fd.name = /etc/vigil-marker and container.id != host
  output: "marker read by %proc.name in %container.name (image %container.image) ip %k8s.pod.ip"
  priority: WARNING
- rule: Container described
  desc: a runtime described a container
  condition: evt.type = container and container.id != host
  output: "container %container.name %container.image.repository"
  priority: INFO
- rule: Container gone
  desc: a container's init exited
  condition: evt.type = container_removed
  output: "container gone %container.name"
  priority: INFO
`);
  const config = path.join(dir, 'vigil.yaml');
  fs.writeFileSync(config, `
json_output: true
container_engines:
  docker: {enabled: false}
  podman: {sockets: ["${podman.socket}"]}
  containerd: {sockets: ["${containerd.socket}"]}
  cri: {sockets: ["${containerd.socket}"]}
  # a loaded test machine: a first gRPC connection to containerd can take seconds
  lookup_timeout_ms: 15000
`);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '-c', config, '-r', rules, '--disable-source', 'k8s_audit', '-v'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  agent = { child, out: () => out, err: () => err, exited: new Promise((resolve) => child.on('exit', (c) => resolve(c))) };
  await until('capture to start', () => /syscall: capturing/.test(err) || child.exitCode !== null);
  assert.match(err, /syscall: capturing/);
  step('agent capturing');
});

after(async () => {
  if (agent && agent.child.exitCode === null) {
    agent.child.kill('SIGINT');
    await agent.exited;
  }
  const t0 = Date.now();
  await Promise.allSettled([podman.stop(), containerd.stop()]);
  process.stderr.write(`runtimes live: runtimes stopped in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** the marker alerts from a container, waiting (and acting again) until the runtime's answer shows in one */
async function markerAlert(id: string, act: () => void): Promise<Alert> {
  const mine = (): Alert | undefined =>
    alerts().find((a) => a.rule === 'Marker read in a container' && a.output_fields['container.id'] === id.slice(0, 12) && a.output_fields['container.name'] !== null);
  await until(`a described alert from ${id.slice(0, 12)}`, () => mine() !== undefined, act);
  return mine()!;
}

test('podman: an action in the container raises an alert with its name, image and (label) pod', { skip }, async () => {
  const a = await markerAlert(podman.id, () => podman.action());
  assert.equal(a.output_fields['container.name'], podman.name);
  assert.equal(a.output_fields['container.image'], IMAGE);
  // the suggested fields the rule's output does not print already (it prints %container.name)
  assert.match(a.output, new RegExp(`in ${podman.name} \\(image ${IMAGE}\\) ip [^ ]+ container_id=${podman.id.slice(0, 12)} k8s_ns_name=ns-podman k8s_pod_name=podman-pod$`));
  assert.equal(a.output_fields['k8s.pod.name'], 'podman-pod');
  assert.equal(a.output_fields['k8s.ns.name'], 'ns-podman');
});

test('containerd (ctr): name, image and the pod from its Kubernetes labels', { skip }, async () => {
  const a = await markerAlert(containerd.ctrId, () => containerd.ctrAction());
  assert.equal(a.output_fields['container.name'], 'ctr-app');
  assert.equal(a.output_fields['container.image'], IMAGE);
  assert.equal(a.output_fields['k8s.pod.name'], 'ctr-pod');
  assert.equal(a.output_fields['k8s.ns.name'], 'ns-ctr');
  assert.match(a.output, new RegExp(`in ctr-app \\(image ${IMAGE}\\) ip [^ ]+ container_id=${containerd.ctrId.slice(0, 12)} k8s_ns_name=ns-ctr k8s_pod_name=ctr-pod$`));
});

test('containerd (CRI): name, image and the pod sandbox', { skip }, async () => {
  const a = await markerAlert(containerd.criId, () => containerd.criAction());
  assert.equal(a.output_fields['container.name'], 'cri-app');
  assert.equal(a.output_fields['container.image'], IMAGE);
  assert.equal(a.output_fields['k8s.pod.name'], 'cri-pod');
  assert.equal(a.output_fields['k8s.ns.name'], 'ns-cri');
  // what only the pod sandbox's status says: the CRI answered, not the labels
  assert.match(String(a.output_fields['k8s.pod.ip']), /^10\.213\.7\.\d+$/);
  assert.match(a.output, new RegExp(`in cri-app \\(image ${IMAGE}\\) ip [^ ]+ container_id=${containerd.criId.slice(0, 12)} k8s_ns_name=ns-cri k8s_pod_name=cri-pod$`));
});

test('container events reach the rules that ask for them: described, then removed when the init exits', { skip }, async () => {
  const described = (): string[] => alerts().filter((a) => a.rule === 'Container described').map((a) => a.output);
  await until('container events for the three containers', () => ['podman', 'ctr-app', 'cri-app'].every((n) => described().some((o) => o.includes(n === 'podman' ? podman.name : n))));
  assert.ok(described().some((o) => o.includes(`: Informational container ${podman.name} localhost/vigil-busybox container_id=${podman.id.slice(0, 12)} `)), described().join('\n'));
  // the pod's sandbox (pause) container is described by its pod
  assert.ok(described().some((o) => o.includes(`: Informational container cri-pod <NA> container_id=${containerd.sandboxId.slice(0, 12)} k8s_ns_name=ns-cri k8s_pod_name=cri-pod`)), described().join('\n'));
  podman.kill();
  await until('the podman container removed', () => alerts().some((a) => a.rule === 'Container gone' && a.output.includes(`: Informational container gone ${podman.name} container_id=${podman.id.slice(0, 12)}`)));
});
