// Live tests (root, BTF) of what an open's exit tells about the file it
// opened, as libs' modern probe sends it: PPM_O_F_CREATED when the call
// created the file, the overlay layer (PPM_FD_UPPER_LAYER / _LOWER_LAYER, and
// creat's own creat_flags), and the device and inode; and the fd.* fields
// made from them (fd.is_upper_layer, fd.is_lower_layer, fd.dev, fd.ino).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { compileOutput } from '../../../src/engine/outputFormat';
import { syscallSource } from '../../../src/sources/syscall';
import { startCapture } from '../../../src/sources/syscall/capture';
import { EventView, forEachEvent } from '../../../src/sources/syscall/decode';
import { StateTracker } from '../../../src/sources/syscall/state/tracker';
import { liveSkipReason, plainTmpDir, record, runChild, type Rec } from './liveSupport';

const skip = liveSkipReason();
if (skip) console.log(`# SKIPPING live fd facts tests: ${skip}`);

const PPM_O_F_CREATED = 1 << 14;
const PPM_FD_UPPER_LAYER = 1 << 15;
const PPM_FD_LOWER_LAYER = 1 << 16;
const FD_FIELDS = compileOutput('%fd.name %fd.is_upper_layer %fd.is_lower_layer %fd.dev.major %fd.dev.minor %fd.ino', syscallSource);

test('live: open exits carry created, overlay layer, dev and inode; fd.* fields show them', { skip }, async () => {
  const dir = plainTmpDir('vigil-fdfacts-');
  for (const d of ['lower', 'upper', 'work', 'merged']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'lower', 'from-image'), 'image layer\n');
  fs.writeFileSync(path.join(dir, 'host-file'), 'not on an overlay\n');
  const merged = path.join(dir, 'merged');
  const events: Rec[] = [];
  /** per file name: the fd fields as rendered at its open's exit */
  const rendered = new Map<string, string>();
  const tracker = new StateTracker();
  let pid = 0;
  const hostStat = fs.statSync(path.join(dir, 'host-file'));
  try {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`, merged]);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  try {
    const cap = startCapture({ syscalls: ['open', 'openat', 'creat'] }, (view, len) => {
      forEachEvent(view, len, (v) => {
        const r = record(v);
        const ev = tracker.apply(v);
        // the paths are this test's own (a fresh temporary directory): no other process opens them
        if (r.dir === '<' && (r.p.fd as number) >= 0 && String(r.p.name).startsWith(dir)) rendered.set(String(r.p.name), FD_FIELDS.render(ev));
        events.push(r);
        tracker.finish();
      });
    });
    try {
      // x86_64: open 2, creat 85, openat 257
      // perl's syscall wants its strings in variables (writable)
      const script = `
        my ($lower, $new, $host, $creat) = ("${merged}/from-image", "${merged}/written", "${dir}/host-file", "${merged}/made-by-creat");
        syscall(257, -100, $lower, 0) >= 0 or die "openat: $!";            # only in the lower layer
        syscall(257, -100, $new, 0101, 0644) >= 0 or die "openat: $!";     # O_WRONLY|O_CREAT: created, in the upper layer
        syscall(2, $new, 0) >= 0 or die "open: $!";                        # open it again: upper, not created now
        syscall(85, $creat, 0644) >= 0 or die "creat: $!";                 # creat: the layer comes in creat_flags
        syscall(257, -100, $host, 0) >= 0 or die "openat: $!";             # not on an overlay
      `;
      pid = await runChild('perl', ['-e', script], { mustSucceed: true });
      await new Promise((r) => setTimeout(r, 200));
      cap.drainNow();
    } finally {
      cap.stop();
    }
  } finally {
    execFileSync('umount', [merged]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const exits = events.filter((e) => e.dir === '<' && e.tid === pid);
  const exitOf = (name: string, file: string) => {
    const e = exits.filter((x) => x.name === name && String(x.p.name).endsWith(file)).at(-1);
    assert.ok(e, `${name} exit of ${file}`);
    assert.ok((e.p.fd as number) >= 0, `${name} of ${file} succeeded`);
    return e;
  };
  const lower = exitOf('openat', '/from-image');
  assert.equal((lower.p.flags as number) & (PPM_O_F_CREATED | PPM_FD_UPPER_LAYER | PPM_FD_LOWER_LAYER), PPM_FD_LOWER_LAYER, 'image file: lower layer, not created');
  const created = exitOf('openat', '/written');
  assert.equal((created.p.flags as number) & (PPM_O_F_CREATED | PPM_FD_UPPER_LAYER | PPM_FD_LOWER_LAYER), PPM_O_F_CREATED | PPM_FD_UPPER_LAYER, 'new file: created, upper layer');
  const reopened = exitOf('open', '/written');
  assert.equal((reopened.p.flags as number) & (PPM_O_F_CREATED | PPM_FD_UPPER_LAYER | PPM_FD_LOWER_LAYER), PPM_FD_UPPER_LAYER, 'opened again: upper layer, not created');
  const creat = exitOf('creat', '/made-by-creat');
  assert.equal(creat.p.creat_flags, 1 << 0, 'creat: PPM_FD_UPPER_LAYER_CREAT');
  const host = exitOf('openat', '/host-file');
  assert.equal((host.p.flags as number) & (PPM_O_F_CREATED | PPM_FD_UPPER_LAYER | PPM_FD_LOWER_LAYER), 0, 'host file: no layer, not created');
  assert.equal(host.p.ino, hostStat.ino, 'the inode stat gives');

  const major = (hostStat.dev >>> 8) & 0xfff;
  const minor = (hostStat.dev & 0xff) | ((hostStat.dev >>> 12) & 0xfff00);
  assert.equal(rendered.get(`${merged}/from-image`)?.split(' ').slice(1, 3).join(' '), 'false true');
  assert.equal(rendered.get(`${merged}/written`)?.split(' ').slice(1, 3).join(' '), 'true false');
  assert.equal(rendered.get(`${merged}/made-by-creat`)?.split(' ').slice(1, 3).join(' '), 'true false', 'creat_flags become the fd layer');
  assert.equal(rendered.get(`${dir}/host-file`), `${dir}/host-file false false ${major} ${minor} ${hostStat.ino}`);
});
