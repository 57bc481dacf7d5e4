// Live tests (root, BTF) of what exec and clone events carry from the kernel:
// the cgroups param and the container id it gives, memory figures, and the
// executable's flags (writable, overlay upper layer, memfd).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { compileOutput } from '../../../src/engine/outputFormat';
import { syscallSource } from '../../../src/sources/syscall';
import { startCapture } from '../../../src/sources/syscall/capture';
import { EventView, forEachEvent } from '../../../src/sources/syscall/decode';
import { StateTracker } from '../../../src/sources/syscall/state/tracker';
import { cgroupRoots, liveSkipReason, record, runChild, type Rec } from './liveSupport';

const skip = liveSkipReason();
if (skip) console.log(`# SKIPPING live exec tests: ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const EXE_FIELDS = compileOutput('%proc.is_exe_writable %proc.is_exe_upper_layer %proc.is_exe_lower_layer %proc.is_exe_from_memfd', syscallSource);

/** Capture `syscalls` while `work` runs; every event goes through a StateTracker after the work is done. */
async function capture(syscalls: string[], work: () => Promise<void>): Promise<{ events: Rec[]; tracker: StateTracker; byTid: Map<number, string>; exeFields: Map<number, string> }> {
  const events: Rec[] = [];
  const tracker = new StateTracker();
  const byTid = new Map<number, string>();
  /** per tid: the exe fields as rendered at its successful exec */
  const exeFields = new Map<number, string>();
  const cap = startCapture({ syscalls }, (view, len) => {
    forEachEvent(view, len, (v) => {
      events.push(record(v));
      const ev = tracker.apply(v);
      if (v.name.startsWith('execve') && v.int(0) === 0) {
        byTid.set(v.tid, ev.thread!.containerId);
        exeFields.set(v.tid, EXE_FIELDS.render(ev));
      }
      tracker.finish();
    });
  });
  try {
    await work();
    await sleep(200);
    cap.drainNow();
  } finally {
    cap.stop();
  }
  return { events, tracker, byTid, exeFields };
}

/** a cgroup directory named like a docker container's, in a hierarchy this machine has */
function containerCgroup(id: string): { dir: string; cleanup: () => void } | undefined {
  for (const root of cgroupRoots()) {
    const parent = path.join(root, `vigil-probe-test-${process.pid}`);
    const dir = path.join(parent, `docker-${id}.scope`);
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch {
      continue;
    }
    return {
      dir,
      cleanup: () => {
        for (const d of [dir, parent]) {
          try {
            fs.rmdirSync(d);
          } catch {
            /* still busy or already gone: left for the next run's cleanup */
          }
        }
      },
    };
  }
  return undefined;
}

test('live: exec carries the cgroups; container.id comes from them after the process is gone', { skip }, async (t) => {
  const id = 'e1ec7ed0'.repeat(8);
  const cg = containerCgroup(id);
  if (!cg) {
    t.skip('no writable cgroup hierarchy');
    return;
  }
  let childPid = 0;
  let res: Awaited<ReturnType<typeof capture>>;
  try {
    res = await capture(['execve', 'clone', 'clone3', 'fork', 'vfork', 'procexit'], async () => {
      childPid = await runChild('/bin/sh', ['-c', `echo $$ > ${cg.dir}/cgroup.procs && exec /bin/true`]);
    });
  } finally {
    cg.cleanup();
  }
  assert.ok(!fs.existsSync(`/proc/${childPid}`), 'the child is gone before its events are handled');
  const exec = res.events.find((e) => e.name === 'execve' && e.tid === childPid && e.p.res === 0 && e.p.comm === 'true');
  assert.ok(exec, 'exec of /bin/true in the cgroup');
  const entries = exec.p.cgroups as string[];
  for (const e of entries) assert.match(e, /^[a-z_]+=\/.*$/, `"subsys=/path" entry: ${e}`);
  const subsystems = entries.map((e) => e.slice(0, e.indexOf('=')));
  assert.ok(subsystems.includes('memory') || subsystems.includes('cpu'), `controller entries: ${subsystems.join(',')}`);
  assert.ok(entries.some((e) => e.endsWith(`docker-${id}.scope`)), `an entry names the container's cgroup: ${entries.join(' ')}`);
  // /proc/PID/cgroup agrees for the controllers (checked on the test process, still alive)
  const self = fs.readFileSync('/proc/self/cgroup', 'utf8');
  const selfExec = res.events.find((e) => e.name === 'execve' && e.tid === childPid && e.p.comm === 'sh');
  assert.ok(selfExec, 'exec of the shell, still in the test process cgroups');
  let compared = 0;
  for (const e of selfExec.p.cgroups as string[]) {
    const [sub, p] = [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)];
    const line = self.split('\n').find((l) => l.split(':')[1]?.split(',').includes(sub));
    if (!line) continue;
    assert.equal(p, line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1), `${sub} path as /proc says`);
    compared++;
  }
  if (!fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) assert.ok(compared > 0, 'v1: controller paths compared with /proc');
  assert.equal(res.byTid.get(childPid), id.slice(0, 12), 'container.id from the kernel-sent cgroups');
  const clone = res.events.find((e) => ['clone', 'clone3', 'fork', 'vfork'].includes(e.name) && e.tid === childPid && e.p.res === 0);
  assert.ok(clone, 'the child side of its clone');
  assert.ok((clone.p.cgroups as string[]).length > 0, 'clone events carry cgroups too');
  assert.ok(!(clone.p.cgroups as string[]).some((e) => e.includes(id)), 'the child joined the container cgroup after the clone');
});

test('live: exec flags (writable, overlay upper and lower layer, memfd) and memory figures', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-exe-'));
  for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(dir, d));
  fs.copyFileSync('/bin/true', path.join(dir, 'lower', 'from-image'));
  fs.chmodSync(path.join(dir, 'lower', 'from-image'), 0o755);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`, `${dir}/merged`]);
  const merged = path.join(dir, 'merged');
  // a binary dropped into the running "container": lands in the upper layer
  fs.copyFileSync('/bin/true', path.join(merged, 'dropped'));
  fs.chmodSync(path.join(merged, 'dropped'), 0o755);
  const pids: Record<string, number> = {};
  let res: Awaited<ReturnType<typeof capture>>;
  try {
    res = await capture(['execve', 'execveat', 'clone', 'clone3', 'fork', 'vfork'], async () => {
      pids.upper = await runChild(path.join(merged, 'dropped'), []);
      pids.lower = await runChild(path.join(merged, 'from-image'), []);
      // fileless: copy /bin/true into a memfd and exec it through /proc/self/fd (perl:
      // perl-base is in every Debian); memfd_create is syscall 319 on x86_64
      pids.memfd = await runChild('perl', ['-e', [
        'my $n = "vg"; my $fd = syscall(319, $n, 0); die "memfd_create: $!" if $fd < 0;',
        'open(my $in, "<:raw", "/bin/true") or die; local $/; my $img = <$in>;',
        'open(my $out, ">&=:raw", $fd) or die; print $out $img; $out->flush;',
        'if (fork() == 0) { exec {"/proc/self/fd/$fd"} "vg" or die "exec: $!" } wait;',
      ].join(' ')]);
      // not the owner, no capabilities, no write bit: not writable
      pids.nobody = await runChild('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '/bin/true']);
    });
  } finally {
    execFileSync('umount', [merged]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const execOf = (file: string) => res.events.find((e) => e.name.startsWith('execve') && e.p.res === 0 && String(e.p.filename ?? e.p.exe).endsWith(file));
  const upper = execOf('/dropped');
  assert.ok(upper, 'exec of the dropped binary');
  assert.equal(upper.tid, pids.upper);
  assert.equal(upper.p.flags, (1 << 0) | (1 << 1), 'PPM_EXE_WRITABLE | PPM_EXE_UPPER_LAYER');
  assert.equal(res.exeFields.get(pids.upper), 'true true false false');
  const lower = execOf('/from-image');
  assert.ok(lower, 'exec of the image binary');
  assert.equal(lower.p.flags, (1 << 0) | (1 << 3), 'PPM_EXE_WRITABLE | PPM_EXE_LOWER_LAYER');
  assert.equal(res.exeFields.get(pids.lower), 'true false true false');

  const mem = res.events.find((e) => e.name.startsWith('execve') && e.p.res === 0 && /^\/proc\/self\/fd\/\d+$/.test(String(e.p.filename)));
  assert.ok(mem, 'exec of the memfd');
  assert.equal(mem.p.flags, (1 << 0) | (1 << 2), 'PPM_EXE_WRITABLE | PPM_EXE_FROM_MEMFD');
  assert.equal(res.exeFields.get(mem.tid), 'true false false true');

  const plain = res.events.find((e) => e.name === 'execve' && e.p.res === 0 && e.tid === pids.nobody && e.p.filename === '/bin/true');
  assert.ok(plain, 'exec of /bin/true as nobody');
  assert.equal(plain.p.uid, 65534);
  assert.equal(plain.p.flags, 0, 'root-owned 0755 file on a host filesystem, run by nobody: no flag');
  assert.equal(res.exeFields.get(pids.nobody), 'false false false false');

  // memory: the parent side of perl's fork has perl's resident set, the image read in included
  const forkParent = res.events.find((e) => ['clone', 'clone3', 'fork', 'vfork'].includes(e.name) && (e.p.res as number) > 0 && e.p.pid === pids.memfd);
  assert.ok(forkParent, "perl's fork");
  const vmRss = forkParent.p.vm_rss as number;
  assert.ok(vmRss > 1024, `vm_rss ${vmRss} KiB: perl has more than 1 MiB resident`);
  assert.ok((forkParent.p.vm_size as number) > vmRss, 'vm_size above vm_rss');
  assert.equal(typeof forkParent.p.vm_swap, 'number');
});
