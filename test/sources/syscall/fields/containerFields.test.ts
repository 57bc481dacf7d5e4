import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { compileCondition } from '../../../../src/engine/compile';
import { compileOutput } from '../../../../src/engine/outputFormat';
import { parseCondition } from '../../../../src/engine/parser';
import { syscallSource } from '../../../../src/sources/syscall';
import { mount } from '../../../../src/sources/syscall/containers/containerInfo';
import { ContainerStore } from '../../../../src/sources/syscall/containers/containerStore';
import type { ContainerEngine } from '../../../../src/sources/syscall/containers/engines/engine';
import type { ContainerRef } from '../../../../src/sources/syscall/state/containerId';
import { StateTracker } from '../../../../src/sources/syscall/state/tracker';
import { UserDb } from '../../../../src/sources/syscall/state/userDb';
import { nulList } from '../state/eventBytes';
import { eventFeeder } from '../state/trackerFeed';

const ID = '3f2a9c1b7d8e' + 'a'.repeat(52);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cfields-'));
fs.writeFileSync(path.join(dir, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
fs.writeFileSync(path.join(dir, 'group'), 'root:x:0:\n');

/** a runtime answering when the test says so */
function manualEngine(): { engine: ContainerEngine; asked: string[]; answer: () => void } {
  const asked: string[] = [];
  let release: () => void = () => {};
  const engine: ContainerEngine = {
    kind: 'docker',
    socket: '/fake.sock',
    hints: ['docker'],
    inspect: (ref: ContainerRef) => {
      asked.push(ref.fullId);
      return new Promise((resolve) => {
        release = () =>
          resolve({
            fullId: ref.fullId,
            type: 'docker',
            name: 'web',
            image: 'nginx:1.25@sha256:feed',
            privileged: false,
            mounts: [mount('/srv/www', '/usr/share/nginx/html', 'ro', false, 'rprivate'), mount('/var/log/web', '/var/log/nginx', '', true, '')],
            healthcheck: 'curl -f http://localhost/',
            labels: { team: 'shop', 'io.kubernetes.pod.name': 'web-7', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': 'uid-7' },
            startTs: 1_700_000_000_000_000_000n,
            ip: '10.0.0.9',
          });
      });
    },
    close: () => {},
  };
  return { engine, asked, answer: () => release() };
}

test('container fields: <NA> until the runtime answers, then filled; the host is host', async () => {
  const rt = manualEngine();
  const store = new ContainerStore({ engines: [rt.engine], log: () => {} });
  const tracker = new StateTracker({ procRoot: dir, users: new UserDb(path.join(dir, 'passwd'), path.join(dir, 'group')), containers: store });
  const feed = eventFeeder(tracker, 1_700_000_001_000_000_000n, 1_000_000n);
  const out = (fmt: string): string => compileOutput(fmt, syscallSource).render(tracker.event);
  const holds = (cond: string): boolean => compileCondition(parseCondition(cond), { source: syscallSource, macros: new Map(), lists: new Map() }).evaluate(tracker.event);
  try {
    const init = tracker.threads.create(1);
    init.comm = 'init';
    feed('openat', 1, { fd: 3, dirfd: -100, name: '/etc/hosts', flags: 1 });
    assert.equal(out('%container.id|%container.name|%container.type|%container.full_id'), 'host|host|host|host');
    // the runtime forks the container's first process into the container's cgroup
    feed('clone', 50, { res: 0, exe: 'runc', args: nulList([]), tid: 50, pid: 50, ptid: 1, comm: 'runc', flags: 0, uid: 0, gid: 0, vtid: 1, vpid: 1,
      cgroups: nulList(['cpu=/', `memory=/docker/${ID}`]), pidns_init_start_ts: 1_700_000_000_500_000_000n });
    feed('execve', 50, { res: 0, exe: 'nginx', args: nulList(['-g', 'daemon off;']), tid: 50, pid: 50, ptid: 1, comm: 'nginx', uid: 0, gid: 0, filename: '/usr/sbin/nginx',
      cgroups: nulList(['cpu=/', `memory=/docker/${ID}`]) });
    feed('openat', 50, { fd: 4, dirfd: -100, name: '/etc/nginx/nginx.conf', flags: 1 });
    assert.deepEqual(rt.asked, [ID], 'one lookup, started by the first event');
    assert.equal(out('%container.id|%container.name|%container.type|%container.image|%k8s.pod.name'), '3f2a9c1b7d8e|<NA>|docker|<NA>|<NA>');
    assert.equal(out('%container.start_ts'), '1700000000500000000', 'start_ts comes from the kernel (pidns init start) before any answer');
    rt.answer();
    await new Promise((r) => setTimeout(r, 10));
    feed('openat', 50, { fd: 5, dirfd: -100, name: '/etc/passwd', flags: 1 });
    assert.equal(out('%container.name|%container.image|%container.image.repository|%container.image.tag|%container.image.digest'), 'web|nginx:1.25@sha256:feed|nginx|1.25|sha256:feed');
    assert.equal(out('%k8s.pod.name|%k8s.ns.name|%k8s.pod.uid|%k8s.pod.id|%container.ip|%container.privileged'), 'web-7|prod|uid-7|uid-7|10.0.0.9|false');
    assert.equal(out('%container.mounts'), '/srv/www:/usr/share/nginx/html:ro:false:rprivate,/var/log/web:/var/log/nginx::true:');
    assert.equal(out('%container.mount[1]|%container.mount.dest[/srv/*]|%container.mount.source[/var/log/nginx]|%container.mount.rdwr[0]|%container.mount[7]'),
      '/var/log/web:/var/log/nginx::true:|/usr/share/nginx/html|/var/log/web|false|none');
    assert.equal(out('%container.label[team]|%container.label.team|%container.labels|%container.healthcheck'), 'shop|shop|team:shop|curl -f http://localhost/');
    assert.equal(out('%container.duration'), String(1_000_000_000 * 0.5 + 5 * 1_000_000));
    assert.ok(holds('container.mount.dest[/srv/www] = /usr/share/nginx/html and container.image.repository = nginx and k8s.pod.name startswith web'));
    assert.ok(holds('container.privileged = false and proc.is_container_healthcheck = false'));
    assert.equal(out('%k8s.rs.name|%k8s.deployment.label[app]'), '<NA>|<NA>', 'deprecated Kubernetes API fields are there, empty');
    // the container's init exits: it is forgotten, container_removed follows
    feed('procexit', 50, { status: 0, ret: 0, sig: 0, core: 0, reaper_tid: 0 });
    assert.equal(store.get(ID.slice(0, 12)), undefined);
  } finally {
    store.close();
  }
});
