// Real container runtimes for the live metadata test, started by the test as
// root: an image built here from Debian's static busybox (no registry is
// reachable), podman with its API service on a private socket, and a private
// containerd whose CRI plugin runs a pod sandbox on a private CNI bridge.
// Each step says what failed; everything started is stopped by its pid.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { method, protoRoot, UnixGrpcClient } from '../../../../src/sources/syscall/containers/engines/grpcUnix';

export const IMAGE = 'localhost/vigil-busybox:test';
/** podman here: runc (crun refuses hybrid cgroups) and limits no higher than ours */
export const PODMAN_RUN = ['--runtime', '/usr/sbin/runc', 'run', '--ulimit', 'nofile=1024:20000', '--ulimit', 'nproc=1000:1000'];

export function sh(cmd: string, args: string[], input?: Buffer): string {
  const r = spawnSync(cmd, args, { input, encoding: 'buffer', timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(-2000)}`);
  return r.stdout.toString();
}

export function missingTools(): string[] {
  return ['podman', 'containerd', 'ctr', '/usr/sbin/runc', '/bin/busybox', '/usr/lib/cni/bridge'].filter((t) =>
    t.startsWith('/') ? !fs.existsSync(t) : spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
}

export function randomId(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** a rootfs with busybox as sh, cat, sleep; /etc/vigil-marker is what the test's rule watches */
export function buildImage(dir: string): string {
  const root = path.join(dir, 'rootfs');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'etc'));
  fs.mkdirSync(path.join(root, 'tmp'));
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  for (const c of ['sh', 'cat', 'sleep']) fs.symlinkSync('busybox', path.join(root, 'bin', c));
  fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc', 'vigil-marker'), 'x\n');
  const tarball = spawnSync('tar', ['-C', root, '-c', '.'], { encoding: 'buffer', maxBuffer: 64 << 20 }).stdout;
  sh('podman', ['import', '--change', 'CMD=["/bin/sleep","1000000"]', '-', IMAGE], tarball);
  const archive = path.join(dir, 'image.tar');
  sh('podman', ['save', '--format', 'oci-archive', '-o', archive, IMAGE]);
  return archive;
}

/** spawn a daemon; resolves once `socket` exists */
async function daemon(cmd: string, args: string[], socket: string, log: string): Promise<ChildProcess> {
  const out = fs.openSync(log, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const end = Date.now() + 60_000;
  while (!fs.existsSync(socket)) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited ${child.exitCode}: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
    if (Date.now() > end) throw new Error(`${cmd} made no socket ${socket} in 60 s: ${fs.readFileSync(log, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}

function stopDaemon(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export class PodmanHost {
  socket: string;
  service: ChildProcess | undefined;
  name: string;
  id = '';

  constructor(readonly dir: string) {
    this.socket = path.join(dir, 'podman.sock');
    this.name = `vigil-live-${crypto.randomBytes(4).toString('hex')}`;
  }

  async start(): Promise<void> {
    this.service = await daemon('podman', ['system', 'service', '--time=0', `unix://${this.socket}`], this.socket, path.join(this.dir, 'podman.log'));
    this.id = sh('podman', [...PODMAN_RUN, '-d', '--name', this.name, '--label', 'app=vigil-live',
      '--label', 'io.kubernetes.pod.name=podman-pod', '--label', 'io.kubernetes.pod.namespace=ns-podman', IMAGE, 'sleep', '1000000']).trim();
  }

  action(): void {
    sh('podman', ['exec', this.name, 'cat', '/etc/vigil-marker']);
  }

  /** stop the container: its init exits */
  kill(): void {
    spawnSync('podman', ['kill', this.name]);
  }

  async stop(): Promise<void> {
    spawnSync('podman', ['rm', '-f', '-t', '0', this.name]);
    await stopDaemon(this.service);
  }
}

const CRI = 'runtime.v1.RuntimeService';

export class ContainerdHost {
  socket: string;
  daemon: ChildProcess | undefined;
  /** made with ctr in containerd's default namespace, Kubernetes labels on it */
  ctrId = randomId();
  /** made through the CRI in a pod sandbox */
  criId = '';
  sandboxId = '';
  readonly podUid = crypto.randomUUID();
  readonly bridge = `vgl${crypto.randomBytes(3).toString('hex')}`;
  private cri: UnixGrpcClient | undefined;

  constructor(readonly dir: string) {
    this.socket = path.join(dir, 'cd', 'containerd.sock');
  }

  private ctr(args: string[], ns = 'default'): string {
    return sh('ctr', ['-a', this.socket, '-n', ns, ...args]);
  }

  async start(archive: string): Promise<void> {
    const d = path.join(this.dir, 'cd');
    fs.mkdirSync(path.join(d, 'cni'), { recursive: true });
    fs.writeFileSync(path.join(d, 'cni', '10-vigil.conflist'), JSON.stringify({
      cniVersion: '0.4.0',
      name: 'vigil-live',
      plugins: [{ type: 'bridge', bridge: this.bridge, isGateway: false, ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.213.7.0/24' }]], dataDir: path.join(d, 'ipam') } }],
    }));
    // restrict_oom_score_adj: this machine lets a process lower limits only, and the CRI's sandbox asks for -998
    fs.writeFileSync(path.join(d, 'config.toml'), `version = 2
root = "${d}/root"
state = "${d}/state"
[grpc]
  address = "${this.socket}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${IMAGE}"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${d}/cni"
`);
    this.daemon = await daemon('containerd', ['--config', path.join(d, 'config.toml')], this.socket, path.join(d, 'containerd.log'));
    for (const ns of ['default', 'k8s.io']) this.ctr(['images', 'import', '--base-name', IMAGE.split(':')[0], archive], ns);
    this.ctr(['run', '-d', '--label', 'io.kubernetes.pod.name=ctr-pod', '--label', 'io.kubernetes.pod.namespace=ns-ctr',
      '--label', 'io.kubernetes.container.name=ctr-app', IMAGE, this.ctrId, 'sleep', '1000000']);
    await this.startPod();
  }

  private async startPod(): Promise<void> {
    const root = protoRoot('cri-api.proto');
    this.cri = new UnixGrpcClient(this.socket);
    const deadline = (): number => Date.now() + 120_000;
    // as kubelet: the pod's cgroup below kubepods, which is how the agent knows a CRI container
    const podConfig = {
      metadata: { name: 'cri-pod', uid: this.podUid, namespace: 'ns-cri', attempt: 0 },
      log_directory: path.join(this.dir, 'cd', 'pods'),
      labels: { app: 'vigil-cri' },
      linux: { cgroup_parent: `/kubepods/besteffort/pod${this.podUid}` },
    };
    const sb = await this.cri.call(method(root, CRI, 'RunPodSandbox'), { config: podConfig }, deadline());
    this.sandboxId = String(sb?.pod_sandbox_id ?? '');
    const ct = await this.cri.call(method(root, CRI, 'CreateContainer'), {
      pod_sandbox_id: this.sandboxId,
      // the labels kubelet puts on every container it asks the CRI for
      config: { metadata: { name: 'cri-app' }, image: { image: IMAGE }, command: ['/bin/sleep', '1000000'], log_path: 'app.log',
        labels: { tier: 'test', 'io.kubernetes.container.name': 'cri-app', 'io.kubernetes.pod.name': 'cri-pod', 'io.kubernetes.pod.namespace': 'ns-cri', 'io.kubernetes.pod.uid': this.podUid } },
      sandbox_config: podConfig,
    }, deadline());
    this.criId = String(ct?.container_id ?? '');
    await this.cri.call(method(root, CRI, 'StartContainer'), { container_id: this.criId }, deadline());
  }

  ctrAction(): void {
    this.ctr(['task', 'exec', '--exec-id', `a${crypto.randomBytes(4).toString('hex')}`, this.ctrId, 'cat', '/etc/vigil-marker']);
  }

  criAction(): void {
    this.ctr(['task', 'exec', '--exec-id', `a${crypto.randomBytes(4).toString('hex')}`, this.criId, 'cat', '/etc/vigil-marker'], 'k8s.io');
  }

  async stop(): Promise<void> {
    const root = protoRoot('cri-api.proto');
    if (this.cri && this.sandboxId) {
      const deadline = Date.now() + 60_000;
      await this.cri.call(method(root, CRI, 'StopPodSandbox'), { pod_sandbox_id: this.sandboxId }, deadline).catch(() => undefined);
      await this.cri.call(method(root, CRI, 'RemovePodSandbox'), { pod_sandbox_id: this.sandboxId }, deadline).catch(() => undefined);
    }
    this.cri?.close();
    if (this.daemon?.exitCode === null) {
      spawnSync('ctr', ['-a', this.socket, 'task', 'kill', '-s', 'SIGKILL', this.ctrId]);
      spawnSync('ctr', ['-a', this.socket, 'task', 'rm', '-f', this.ctrId]);
      spawnSync('ctr', ['-a', this.socket, 'containers', 'rm', this.ctrId]);
    }
    await stopDaemon(this.daemon);
    spawnSync('ip', ['link', 'del', this.bridge]);
    // the shims outlive containerd; their containers were killed above
    spawnSync('umount', ['-R', path.join(this.dir, 'cd', 'state')]);
  }
}
