import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerStore } from '../../../../src/sources/syscall/containers/containerStore';
import { CriEngine } from '../../../../src/sources/syscall/containers/engines/criEngine';
import { DockerEngine } from '../../../../src/sources/syscall/containers/engines/dockerEngine';
import { containerRefFromPath } from '../../../../src/sources/syscall/state/containerId';
import { criRuntime, garbageSocket, httpRuntime, tempSocket } from './fakeRuntimes';

const ID_A = 'a'.repeat(60) + '0001';
const ID_B = 'b'.repeat(60) + '0002';
const ID_C = 'c'.repeat(60) + '0003';
const SANDBOX = 'd'.repeat(64);
/** the CRI test's own id: a ref remembers the cgroup layout its id was first seen under */
const ID_K = '1'.repeat(60) + '0004';

function inspect(id: string, name: string): Record<string, unknown> {
  return {
    Id: id,
    Name: `/${name}`,
    Image: 'sha256:6f7e2741b66b0123456789',
    Config: { Image: 'registry.local:5000/team/web:1.2', Labels: { app: 'web', 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop' } },
    HostConfig: { Privileged: true, NetworkMode: 'host' },
    State: { StartedAt: '2026-12-02T12:00:00.123456789Z' },
    Mounts: [{ Source: '/srv/data', Destination: '/data', Mode: 'z', RW: false, Propagation: 'rprivate' }],
    NetworkSettings: { IPAddress: '10.1.2.3' },
    Path: 'nginx',
    Args: ['-g', 'daemon off;'],
  };
}

function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (cond()) return resolve();
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

test('a docker answer fills the container; the first look carries only id and type', async () => {
  const rt = await httpRuntime('answer', { [ID_A]: inspect(ID_A, 'web') });
  const logs: string[] = [];
  const changes: string[] = [];
  const store = new ContainerStore({ engines: [new DockerEngine('docker', rt.socket)], log: (m) => logs.push(m), onChange: (k, c) => changes.push(`${k} ${c.name}`) });
  try {
    const ref = containerRefFromPath(`/docker/${ID_A}`)!;
    store.seen(ref);
    const first = store.get(ref.id)!;
    assert.equal(first.described, false);
    assert.equal(first.type, 'docker');
    assert.equal(first.name, undefined, 'no name before the runtime answered');
    await until(() => store.get(ref.id)!.described, 'the inspect answer');
    const c = store.get(ref.id)!;
    assert.equal(c.name, 'web');
    assert.equal(c.image, 'registry.local:5000/team/web:1.2');
    assert.equal(c.imageRepository, 'registry.local:5000/team/web');
    assert.equal(c.imageTag, '1.2');
    assert.equal(c.imageId, '6f7e2741b66b');
    assert.equal(c.privileged, true);
    assert.equal(c.hostNetwork, true);
    assert.equal(c.mountsText, '/srv/data:/data:z:false:rprivate');
    assert.equal(c.ip, '10.1.2.3');
    assert.equal(c.startTs, 1796212800123456789n);
    assert.equal(c.podName, 'web-0', 'pod from the kubelet labels where there is no CRI');
    assert.equal(c.podNamespace, 'shop');
    assert.equal(c.labelsText, 'app:web', "io.kubernetes.* labels are left out of container.labels");
    assert.equal(c.cmdline, 'nginx -g daemon off;');
    assert.deepEqual(changes, ['container web']);
    store.seen(ref);
    assert.equal(rt.requests.length, 1, 'a known container is not asked again');
    store.removed(ref.id);
    assert.equal(store.get(ref.id), undefined);
    await until(() => changes.length === 2, 'container_removed');
    assert.equal(changes[1], 'container_removed web');
    assert.deepEqual(logs, []);
  } finally {
    store.close();
    await rt.close();
  }
});

test('sockets that hang, close mid-answer, answer garbage or are missing cost one warning each; the good one still answers', async () => {
  const hang = await httpRuntime('hang');
  const cut = await httpRuntime('close');
  const junk = await httpRuntime('garbage');
  const raw = await garbageSocket();
  const good = await httpRuntime('answer', { [ID_A]: inspect(ID_A, 'a'), [ID_B]: inspect(ID_B, 'b') });
  const logs: string[] = [];
  const engines = [tempSocket('missing'), hang.socket, cut.socket, junk.socket, raw.socket, good.socket].map((s) => new DockerEngine('docker', s));
  const store = new ContainerStore({ engines, log: (m) => logs.push(m), timeoutMs: 300 });
  try {
    const a = containerRefFromPath(`/docker/${ID_A}`)!;
    store.seen(a);
    assert.equal(store.get(a.id)!.described, false, 'seen() returns before any runtime answered');
    await until(() => store.get(a.id)!.described, 'the good socket', 5000);
    assert.equal(store.get(a.id)!.name, 'a');
    const b = containerRefFromPath(`/docker/${ID_B}`)!;
    store.seen(b);
    await until(() => store.get(b.id)!.described, 'the second container');
    assert.equal(logs.length, 4, `one warning per bad socket, none for the missing one:\n${logs.join('\n')}`);
    assert.match(logs.join('\n'), /no answer to GET .* within \d+ ms/);
    assert.match(logs.join('\n'), /closed mid-answer/);
    assert.match(logs.join('\n'), /not JSON/);
    assert.equal(hang.requests.length, 1, 'a socket that hung is left alone for a while');
    assert.equal(store.stats.described, 2);
  } finally {
    store.close();
    await Promise.all([hang.close(), cut.close(), junk.close(), raw.close(), good.close()]);
  }
});

test('a container no runtime knows is asked a bounded number of times and stays undescribed', async () => {
  const rt = await httpRuntime('answer', {});
  const store = new ContainerStore({ engines: [new DockerEngine('podman', rt.socket)], log: () => {}, attempts: 3, retryMs: 20 });
  try {
    const ref = containerRefFromPath(`/libpod_parent/libpod-${ID_C}`)!;
    store.seen(ref);
    await until(() => store.stats.unknown === 1, 'three attempts');
    assert.equal(rt.requests.length, 3);
    assert.ok(rt.requests[0].startsWith(`/v4.0.0/libpod/containers/${ID_C}/json`), rt.requests[0]);
    assert.equal(store.get(ref.id)!.described, false);
    assert.equal(store.get(ref.id)!.type, 'podman');
  } finally {
    store.close();
    await rt.close();
  }
});

test('lookups are rate limited: 30 new containers at 10 per second take about 2 s', async () => {
  const docs: Record<string, unknown> = {};
  const ids = Array.from({ length: 30 }, (_, i) => i.toString(16).padEnd(64, 'e'));
  for (const id of ids) docs[id] = inspect(id, `c${id.slice(-2)}`);
  const rt = await httpRuntime('answer', docs);
  const store = new ContainerStore({ engines: [new DockerEngine('docker', rt.socket)], log: () => {}, maxPerSecond: 10 });
  try {
    for (const id of ids) store.seen(containerRefFromPath(`/docker/${id}`)!);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(rt.requests.length <= 16, `at most the burst and half a second's worth so far, got ${rt.requests.length}`);
    await until(() => store.stats.described === 30, 'all 30', 6000);
  } finally {
    store.close();
    await rt.close();
  }
});

test('CRI: container and pod sandbox status give the pod; a hanging CRI socket times out', async () => {
  const cri = await criRuntime({
    containers: {
      [ID_K]: {
        status: {
          id: ID_K,
          metadata: { name: 'app' },
          image: { image: 'docker.io/library/nginx:1.25' },
          image_ref: 'docker.io/library/nginx@sha256:abcdef',
          labels: { 'io.kubernetes.pod.name': 'web-1' },
          mounts: [{ container_path: '/etc/cfg', host_path: '/var/lib/kubelet/cfg', readonly: true, propagation: 1 }],
          started_at: '1796212800000000001',
        },
        info: { info: JSON.stringify({ sandboxID: SANDBOX, runtimeSpec: { process: { args: ['nginx', '-g', 'daemon off;'] } }, config: { linux: { security_context: { privileged: true, namespace_options: { pid: 2 } } } } }) },
      },
    },
    sandboxes: {
      [SANDBOX]: {
        status: { id: SANDBOX, metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1' }, network: { ip: '10.4.0.7' }, labels: { app: 'web', tier: 'front' } },
        info: { info: JSON.stringify({ cniResult: { interfaces: { eth0: { IPConfigs: [{ IP: '10.4.0.7' }] } } } }) },
      },
    },
  });
  const hanging = await criRuntime({ containers: {}, sandboxes: {}, hang: true });
  const logs: string[] = [];
  // a first gRPC call sets up its connection: give it time on a loaded machine
  const store = new ContainerStore({ engines: [new CriEngine(hanging.socket), new CriEngine(cri.socket)], log: (m) => logs.push(m), timeoutMs: 1500 });
  try {
    const a = containerRefFromPath(`/kubepods/besteffort/pod1/${ID_K}`)!;
    store.seen(a);
    await until(() => store.get(a.id)!.described || store.stats.unknown > 0, 'the CRI answer');
    assert.ok(store.get(a.id)!.described, `not described; logs: ${logs.join(' / ')} calls: ${cri.calls}`);
    const c = store.get(a.id)!;
    assert.equal(c.name, 'app');
    assert.equal(c.imageRepository, 'docker.io/library/nginx');
    assert.equal(c.imageTag, '1.25');
    assert.equal(c.imageDigest, 'sha256:abcdef');
    assert.equal(c.podName, 'web-1');
    assert.equal(c.podNamespace, 'shop');
    assert.equal(c.podUid, 'u-1');
    assert.equal(c.podIp, '10.4.0.7');
    assert.equal(c.ip, '10.4.0.7');
    assert.equal(c.podLabelsText, 'app:web, tier:front');
    assert.equal(c.podLabels.get('tier'), 'front');
    assert.equal(c.sandboxId, SANDBOX);
    assert.equal(c.privileged, true);
    assert.equal(c.hostPid, true);
    assert.equal(c.mountsText, '/var/lib/kubelet/cfg:/etc/cfg::false:rslave');
    assert.equal(c.cniJson, '{"interfaces":{"eth0":{"IPConfigs":[{"IP":"10.4.0.7"}]}}}');
    assert.equal(c.cmdline, 'nginx -g daemon off;');
    assert.equal(c.startTs, 1796212800000000001n);
    // the sandbox's own (pause) container is described by its pod
    const s = containerRefFromPath(`/kubepods/besteffort/pod1/${SANDBOX}`)!;
    store.seen(s);
    await until(() => store.get(s.id)!.described, 'the sandbox');
    assert.equal(store.get(s.id)!.podName, 'web-1');
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0], /no answer before the deadline/);
  } finally {
    store.close();
    cri.close();
    hanging.close();
  }
});
