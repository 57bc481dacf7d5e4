import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyOverride, builtinDefaults, ConfigError } from '../../../../src/config';
import { DEFAULT_SOCKETS, hostSocket, readEnginesConfig } from '../../../../src/sources/syscall/containers/engineConfig';

test('defaults: every engine on its usual sockets, the CRI first', () => {
  const { engines, pacing } = readEnginesConfig(builtinDefaults());
  assert.deepEqual(engines.slice(0, 4).map((e) => `${e.kind} ${e.socket}`), DEFAULT_SOCKETS.cri.map((s) => `cri ${s}`));
  assert.ok(engines.some((e) => e.kind === 'docker' && e.socket === '/var/run/docker.sock'));
  assert.ok(engines.some((e) => e.kind === 'podman' && e.socket === '/run/podman/podman.sock'));
  assert.deepEqual(pacing, {});
});

test('engines are switched off, moved to other sockets, paced', () => {
  let c = applyOverride(builtinDefaults(), 'container_engines.docker.enabled=false');
  c = applyOverride(c, 'container_engines.cri.sockets=[/host/run/containerd/containerd.sock]');
  c = applyOverride(c, 'container_engines.lookup_timeout_ms=500');
  const { engines, pacing } = readEnginesConfig(c);
  assert.ok(!engines.some((e) => e.kind === 'docker'));
  assert.deepEqual(engines.filter((e) => e.kind === 'cri').map((e) => e.socket), ['/host/run/containerd/containerd.sock']);
  assert.deepEqual(pacing, { timeoutMs: 500 });
});

test('bad values are refused with the key', () => {
  const bad = (spec: string, msg: RegExp): void => assert.throws(() => readEnginesConfig(applyOverride(builtinDefaults(), spec)), (e: Error) => e instanceof ConfigError && msg.test(e.message));
  bad('container_engines.rkt.enabled=true', /container_engines\.rkt: unknown key/);
  bad('container_engines.docker.enabled=yes please', /container_engines\.docker\.enabled: expected true or false/);
  bad('container_engines.podman.sockets=/run/x.sock', /container_engines\.podman\.sockets: expected a list/);
  bad('container_engines.max_lookups_per_second=0', /max_lookups_per_second: expected a whole number/);
  bad('container_engines=3', /container_engines: expected a mapping/);
});

test('under HOST_ROOT (Vigil in a DaemonSet with the host mounted at /host) the default sockets are looked for under it; configured ones stay as written', () => {
  const { engines } = readEnginesConfig(builtinDefaults(), '/host/');
  assert.ok(engines.some((e) => e.kind === 'cri' && e.socket === '/host/run/containerd/containerd.sock'), JSON.stringify(engines));
  // the host's /var/run is a symlink to /run, which would resolve inside the container
  assert.ok(engines.some((e) => e.kind === 'docker' && e.socket === '/host/run/docker.sock'), JSON.stringify(engines));
  assert.ok(engines.every((e) => e.socket.startsWith('/host/run/')), JSON.stringify(engines));
  const given = readEnginesConfig(applyOverride(builtinDefaults(), 'container_engines.docker.sockets=[/var/run/docker.sock]'), '/host');
  assert.deepEqual(given.engines.filter((e) => e.kind === 'docker').map((e) => e.socket), ['/var/run/docker.sock']);
  assert.equal(hostSocket('/run/crio/crio.sock', undefined), '/run/crio/crio.sock');
});
