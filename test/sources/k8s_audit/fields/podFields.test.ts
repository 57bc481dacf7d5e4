import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bindError, field } from '../fieldValue';
import { traceEvent } from '../traceEvent';

test('privileged flags: all containers, by index, and the deprecated any-container field', () => {
  const e = traceEvent('create_nginx_pod_privileged_2nd_container.json');
  assert.deepEqual(field(e, 'ka.req.pod.containers.privileged'), ['false', 'true']);
  assert.deepEqual(field(e, 'ka.req.pod.containers.privileged', '0'), ['false']);
  assert.deepEqual(field(e, 'ka.req.pod.containers.privileged', '1'), ['true']);
  assert.equal(field(e, 'ka.req.container.privileged'), 'true');
  assert.equal(field(e, 'ka.req.container.privileged', '0'), 'false');
  assert.equal(field(e, 'ka.req.container.privileged', '1'), 'true');
  assert.equal(field(e, 'ka.req.container.privileged', '2'), undefined);
  const unset = traceEvent('create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json');
  assert.deepEqual(field(unset, 'ka.req.pod.containers.privileged'), ['true']);
  const plain = traceEvent('create_nginx_pod_unprivileged.json');
  assert.equal(field(plain, 'ka.req.pod.containers.privileged'), undefined);
  assert.equal(field(plain, 'ka.req.container.privileged'), 'false');
  const init = traceEvent('create_nginx_pod_privileged_init_container.json');
  assert.equal(field(init, 'ka.req.pod.containers.privileged'), undefined);
  assert.deepEqual(field(init, 'ka.req.pod.initContainers.privileged'), ['true']);
  assert.deepEqual(field(init, 'ka.req.pod.initContainers.command'), ['sysctl -w net.core.somaxconn=1024']);
});

test('images, names, commands', () => {
  const e = traceEvent('create_nginx_pod_privileged_2nd_container.json');
  assert.deepEqual(field(e, 'ka.req.pod.containers.image'), ['nginx:1.25.4', 'busybox:1.36']);
  assert.deepEqual(field(e, 'ka.req.pod.containers.image.repository'), ['nginx', 'busybox']);
  assert.deepEqual(field(e, 'ka.req.pod.containers.image', '1'), ['busybox:1.36']);
  assert.deepEqual(field(e, 'ka.req.pod.containers.name'), ['nginx', 'sidecar']);
  assert.deepEqual(field(e, 'ka.req.pod.containers.command'), ['sh -c sleep 3600']);
  assert.equal(field(e, 'ka.req.pod.containers.args'), undefined);
  assert.equal(field(e, 'ka.req.container.image'), 'nginx:1.25.4');
  assert.equal(field(e, 'ka.req.container.image', '1'), 'busybox:1.36');
  assert.equal(field(e, 'ka.req.container.image.repository', '1'), 'busybox');
  assert.deepEqual(field(e, 'ka.req.pod.containers.host_port'), ['80']);
  assert.match(bindError('ka.req.pod.containers.image', 'x'), /index must be a non-negative integer/);
  assert.match(bindError('ka.req.pod.containers.image', '-1'), /index must be a non-negative integer/);
});

test('pod found inside a Deployment template', () => {
  const e = traceEvent('create_deployment_privileged.json');
  assert.deepEqual(field(e, 'ka.req.pod.containers.privileged'), ['true']);
  assert.equal(field(e, 'ka.req.pod.host_network'), 'true');
  assert.deepEqual(field(e, 'ka.req.pod.containers.image.repository'), ['nginx']);
});

test('security context: effective ids, capabilities, proc mount, pod-level ids', () => {
  const obj = {
    objectRef: { resource: 'pods' },
    requestObject: {
      kind: 'Pod',
      spec: {
        securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 5000] },
        hostPID: true,
        hostIPC: false,
        containers: [
          { name: 'a', image: 'a', securityContext: { runAsUser: 0, allowPrivilegeEscalation: true, readOnlyRootFilesystem: false, procMount: 'Unmasked', capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } } },
          { name: 'b', image: 'b', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } },
        ],
      },
    },
  };
  assert.deepEqual(field(obj, 'ka.req.pod.containers.run_as_user'), ['0']);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.eff_run_as_user'), ['0', '1000']);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.eff_run_as_group'), ['3000', '3000']);
  assert.equal(field(obj, 'ka.req.pod.containers.run_as_group'), undefined);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.allow_privilege_escalation'), ['true']);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.read_only_fs'), ['false']);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.proc_mount'), ['Unmasked']);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.add_capabilities'), ['NET_ADMIN', 'SYS_TIME', 'SYS_ADMIN']);
  assert.deepEqual(field(obj, 'ka.req.pod.containers.add_capabilities', '1'), ['SYS_ADMIN']);
  assert.equal(field(obj, 'ka.req.pod.run_as_user'), '1000');
  assert.equal(field(obj, 'ka.req.pod.run_as_group'), '3000');
  assert.equal(field(obj, 'ka.req.pod.fs_group'), '2000');
  assert.deepEqual(field(obj, 'ka.req.pod.supplemental_groups'), ['4000', '5000']);
  assert.equal(field(obj, 'ka.req.pod.host_pid'), 'true');
  assert.equal(field(obj, 'ka.req.pod.host_ipc'), 'false');
  assert.equal(field(obj, 'ka.req.pod.host_network'), undefined);
  const noIds = { objectRef: { resource: 'pods' }, requestObject: { kind: 'Pod', spec: { containers: [{ name: 'a' }] } } };
  assert.deepEqual(field(noIds, 'ka.req.pod.containers.eff_run_as_user'), ['0']);
});

test('volumes: host paths, types, the deprecated glob check', () => {
  const e = traceEvent('create_nginx_pod_sensitive_mount_2nd_container.json');
  assert.deepEqual(field(e, 'ka.req.pod.volumes.hostpath'), ['/var/log/nginx', '/var/run/docker.sock']);
  assert.deepEqual(field(e, 'ka.req.pod.volumes.hostpath', '1'), ['/var/run/docker.sock']);
  assert.deepEqual(field(e, 'ka.req.pod.volumes.volume_type'), ['hostPath', 'hostPath']);
  assert.equal(field(e, 'ka.req.volume.hostpath', '/var/run/docker.sock'), 'true');
  assert.equal(field(e, 'ka.req.volume.hostpath', '/var/run/*'), 'true');
  assert.equal(field(e, 'ka.req.volume.hostpath', '/var/run'), 'false');
  assert.equal(field(e, 'ka.req.volume.hostpath', '/proc*,/var/log/*'), 'true');
  assert.equal(field(e, 'ka.req.pod.volumes.flexvolume_driver'), undefined);
  const cfg = traceEvent('create_nginx_pod_unsensitive_mount.json');
  assert.deepEqual(field(cfg, 'ka.req.pod.volumes.volume_type'), ['hostPath', 'configMap']);
  assert.deepEqual(field(cfg, 'ka.req.pod.volumes.hostpath'), ['/var/log/nginx']);
  const none = traceEvent('create_nginx_pod_unprivileged.json');
  assert.equal(field(none, 'ka.req.volume.hostpath', '/proc*'), 'false');
  assert.equal(field(none, 'ka.req.pod.volumes.hostpath'), undefined);
  assert.equal(field(traceEvent('create_nginx_service_clusterip.json'), 'ka.req.volume.hostpath', '/proc*'), undefined);
  assert.match(bindError('ka.req.volume.hostpath'), /requires an argument/);
  const flex = { objectRef: { resource: 'pods' }, requestObject: { kind: 'Pod', spec: { containers: [], volumes: [{ name: 'f', flexVolume: { driver: 'example/lvm' } }] } } };
  assert.deepEqual(field(flex, 'ka.req.pod.volumes.flexvolume_driver'), ['example/lvm']);
});

test('no pod: every pod field is undefined', () => {
  const e = traceEvent('create_nginx_service_nodeport.json');
  for (const name of ['ka.req.pod.containers.image', 'ka.req.pod.host_network', 'ka.req.container.image', 'ka.req.container.privileged', 'ka.req.pod.volumes.hostpath']) {
    assert.equal(field(e, name), undefined, name);
  }
});
