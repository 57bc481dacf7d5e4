import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerIdFromCgroupEntries, containerIdFromCgroupFile, containerIdFromPath } from '../../../../src/sources/syscall/state/containerId';

const ID = '3f2a9c1b7d8e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a';

test('container ids from the cgroup paths of each runtime', () => {
  assert.equal(containerIdFromPath(`/docker/${ID}`), '3f2a9c1b7d8e');
  assert.equal(containerIdFromPath(`/system.slice/docker-${ID}.scope`), '3f2a9c1b7d8e');
  assert.equal(containerIdFromPath(`/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-${ID}.scope`), '3f2a9c1b7d8e');
  assert.equal(containerIdFromPath(`/kubepods/besteffort/pod12/${ID}`), '3f2a9c1b7d8e');
  assert.equal(containerIdFromPath(`/machine.slice/libpod-${ID}.scope/container`), '3f2a9c1b7d8e');
  assert.equal(containerIdFromPath(`/kubepods.slice/crio-${ID}.scope`), '3f2a9c1b7d8e');
});

test('host processes are host', () => {
  assert.equal(containerIdFromPath('/user.slice/user-0.slice/session-1.scope'), 'host');
  assert.equal(containerIdFromPath(`/system.slice/${ID}.service`), 'host', 'a hex name without a runtime is not a container');
  assert.equal(containerIdFromCgroupFile('0::/init.scope\n'), 'host');
  assert.equal(containerIdFromCgroupFile(`12:cpuset:/\n11:memory:/docker/${ID}\n`), '3f2a9c1b7d8e');
});

test('the cgroups parameter: subsys=path entries; none means unknown', () => {
  assert.equal(containerIdFromCgroupEntries(['cpuset=/', 'cpu=/', `memory=/system.slice/docker-${ID}.scope`]), '3f2a9c1b7d8e');
  assert.equal(containerIdFromCgroupEntries(['cpuset=/', 'memory=/user.slice']), 'host');
  assert.equal(containerIdFromCgroupEntries([]), undefined, 'no entries: the caller reads /proc');
  assert.equal(containerIdFromCgroupEntries(['garbage']), undefined, 'no subsys=path entry at all');
});
