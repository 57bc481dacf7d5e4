// A node with many containers, for bench:syscalls' metadata run: N cgroups
// laid out as Docker names them (`/docker/<64 hex>`, in the cpu hierarchy, or
// the cgroup v2 root), one sleeping process in each, and a Docker-style API on
// a unix socket in this process that describes any of them (with Kubernetes
// labels, as cri-dockerd sets). Workloads run inside one of the containers by
// joining its cgroup before they exec, so every event they make is a
// container's.
import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export interface ContainerNode {
  socket: string;
  ids: string[];
  /** inspect requests answered */
  requests: () => number;
  /** argv prefix that runs a command inside container i */
  inside(i: number): string[];
  stop(): Promise<void>;
}

function cgroupRoot(): string {
  for (const d of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup']) if (fs.existsSync(path.join(d, 'cgroup.procs'))) return d;
  throw new Error('no cgroup hierarchy that takes processes under /sys/fs/cgroup');
}

export async function startContainerNode(n: number): Promise<ContainerNode> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-node-'));
  const socket = path.join(dir, 'docker.sock');
  const root = path.join(cgroupRoot(), 'docker');
  fs.mkdirSync(root, { recursive: true });
  const ids = Array.from({ length: n }, () => crypto.randomBytes(32).toString('hex'));
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const id = /containers\/([0-9a-f]{64})\/json/.exec(req.url ?? '')?.[1];
    const i = id === undefined ? -1 : ids.indexOf(id);
    if (i < 0) {
      res.writeHead(404).end('{}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({
      Id: id,
      Name: `/bench-${i}`,
      Image: `sha256:${crypto.createHash('sha256').update(String(i)).digest('hex')}`,
      Config: { Image: `registry.local/bench/app-${i % 7}:1.${i}`, Labels: { 'io.kubernetes.pod.name': `app-${i}`, 'io.kubernetes.pod.namespace': `ns-${i % 5}`, team: 'bench' } },
      HostConfig: { Privileged: false },
      State: { StartedAt: new Date().toISOString() },
      Mounts: [{ Source: `/var/lib/app-${i}`, Destination: '/data', Mode: '', RW: true, Propagation: 'rprivate' }],
      NetworkSettings: { IPAddress: `10.9.${i >> 8}.${i & 255}` },
    }));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const dirs = ids.map((id) => path.join(root, id));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const inside = (i: number): string[] => ['sh', '-c', 'echo $$ > "$0" && exec "$@"', path.join(dirs[i], 'cgroup.procs')];
  const sleepers: ChildProcess[] = ids.map((_, i) => {
    const [cmd, ...args] = inside(i);
    return spawn(cmd, [...args, 'sleep', '100000'], { stdio: 'ignore' });
  });
  return {
    socket,
    ids,
    requests: () => requests,
    inside,
    stop: async () => {
      await Promise.all(sleepers.map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      })));
      server.close();
      for (const d of dirs) {
        try {
          fs.rmdirSync(d);
        } catch {
          // a process still in it (a workload being reaped): left for the next run's cleanup
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
