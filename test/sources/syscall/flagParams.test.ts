// Flag and mode parameters: the probe converts them as falcosecurity/libs does
// (live, root), and evt.arg names them as Falco prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startCapture } from '../../../src/sources/syscall/capture';
import { forEachEvent } from '../../../src/sources/syscall/decode';
import { argNames, argValue } from '../../../src/sources/syscall/fields/argText';
import { bitsText, CREAT_FLAGS, modeText, OPEN_FLAGS } from '../../../src/sources/syscall/fields/flagNames';
import { liveSkipReason, plainTmpDir, runChild } from './liveSupport';

const skip = liveSkipReason();
if (skip) console.log(`# SKIPPING live flag tests: ${skip}`);

test('flag text follows libs: table order, O_RDWR hides its bits, O_NONE for 0, number when nothing matches', () => {
  assert.equal(bitsText(1 | (1 << 12), OPEN_FLAGS), 'O_RDONLY|O_CLOEXEC');
  assert.equal(bitsText(2 | (1 << 2) | (1 << 8), OPEN_FLAGS), 'O_TRUNC|O_CREAT|O_WRONLY');
  assert.equal(bitsText(3 | (1 << 2), OPEN_FLAGS), 'O_CREAT|O_RDWR');
  assert.equal(bitsText(0, OPEN_FLAGS), 'O_NONE');
  assert.equal(bitsText(0, [[1, 'A']]), '0');
  assert.equal(bitsText(1, CREAT_FLAGS), 'FD_UPPER_LAYER_CREAT');
  assert.equal(modeText(0o4755), 'S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID');
  assert.equal(modeText(0), '0');
});

interface Seen {
  name: string;
  tid: number;
  args: Record<string, string | undefined>;
  raw: Record<string, number | undefined>;
}

test('live: flags and modes on the wire as libs sends them, named as Falco names them', { skip }, async () => {
  // off overlayfs: the exit's flags would carry a layer bit there
  const dir = plainTmpDir('vigil-flags-');
  const seen: Seen[] = [];
  const cap = startCapture(
    { syscalls: ['openat', 'unlinkat', 'linkat', 'fchmodat', 'fchownat', 'memfd_create', 'dup3', 'pipe2', 'socket', 'mount', 'umount2', 'prctl', 'bpf'] },
    (view, len) => forEachEvent(view, len, (v) => {
      const args: Seen['args'] = {};
      const raw: Seen['raw'] = {};
      v.info!.params.forEach((p, i) => {
        args[p.name] = argNames(v, i) || argValue(v, i);
        raw[p.name] = ['CHARBUF', 'FSPATH', 'FSRELPATH', 'BYTEBUF', 'SOCKTUPLE', 'SOCKADDR'].includes(p.type) ? undefined : v.int(i);
      });
      seen.push({ name: v.name, tid: v.tid, args, raw });
    }),
  );
  const mnt = path.join(dir, 'mnt');
  fs.mkdirSync(mnt);
  // perl (perl-base is in every Debian) makes each call with exact flags; x86_64 syscall numbers
  const script = `
    my $d = "${dir}";
    open(my $f, ">", "$d/file") or die; close $f; mkdir "$d/sub";
    syscall(257, -100, "$d/created", 0101 | 01000, 0644);          # openat O_WRONLY|O_CREAT|O_TRUNC, 0644
    syscall(257, -100, "$d/file", 02000000, 0777);                  # openat O_RDONLY|O_CLOEXEC: mode ignored
    syscall(265, -100, "$d/file", -100, "$d/hard", 0x400);          # linkat AT_SYMLINK_FOLLOW
    syscall(268, -100, "$d/file", 04755);                           # fchmodat
    syscall(260, -100, "$d/file", 0, 0, 0x100);                     # fchownat AT_SYMLINK_NOFOLLOW: libs keeps none
    syscall(263, -100, "$d/sub", 0x200);                            # unlinkat AT_REMOVEDIR
    my $n = "vgmem"; syscall(319, $n, 3);                           # memfd_create MFD_CLOEXEC|MFD_ALLOW_SEALING
    syscall(292, 0, 50, 02000000);                                  # dup3 O_CLOEXEC
    my $p = "\\0" x 8; syscall(293, $p, 04000);                     # pipe2 O_NONBLOCK
    syscall(41, 2, 1 | 02000000 | 04000, 0);                        # socket SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK
    my ($src, $fs) = ("none", "tmpfs");                        # syscall wants writable strings
    syscall(165, $src, "$d/mnt", $fs, 0xC0ED0000 | 2 | 4, 0);  # mount MS_MGC_VAL|MS_NOSUID|MS_NODEV
    syscall(166, "$d/mnt", 2);                                      # umount2 MNT_DETACH
    my $nm = "vgname"; syscall(157, 15, $nm, 0, 0, 0);              # prctl PR_SET_NAME
    syscall(321, 0, 0, 0);                                          # bpf BPF_MAP_CREATE (fails: no attr)
  `;
  let pid = 0;
  try {
    pid = await runChild('perl', ['-e', script]);
    await new Promise((r) => setTimeout(r, 200));
    cap.drainNow();
  } finally {
    cap.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const of = (name: string, pick: (s: Seen) => boolean = () => true) => {
    // perl's own calls (startup, open) come first: the explicit one is the last
    const s = seen.filter((e) => e.tid === pid && e.name === name && pick(e)).at(-1);
    assert.ok(s, `${name} event`);
    return s;
  };
  const created = of('openat', (s) => String(s.args.name).endsWith('/created'));
  // the exit adds PPM_O_F_CREATED: this call made the file (no overlay here, so no layer bit)
  assert.equal(created.args.flags, 'O_TRUNC|O_CREAT|O_WRONLY|O_F_CREATED');
  assert.equal(created.raw.mode, 0o644);
  assert.equal(created.args.mode, '0644');
  // perl's own open of the file comes first: the explicit openat is the last one
  const ro = seen.filter((e) => e.tid === pid && e.name === 'openat' && String(e.args.name).endsWith('/file')).at(-1);
  assert.ok(ro, 'openat of the file');
  assert.equal(ro.args.flags, 'O_RDONLY|O_CLOEXEC', 'an existing file: not O_F_CREATED');
  assert.equal(ro.raw.mode, 0, 'mode is 0 without O_CREAT/O_TMPFILE');
  assert.equal(of('linkat').raw.flags, 0x400);
  assert.equal(of('linkat').args.flags, 'AT_SYMLINK_FOLLOW');
  assert.equal(of('fchmodat').args.mode, 'S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID');
  assert.equal(of('fchownat').raw.flags, 0, 'libs maps only AT_SYMLINK_FOLLOW and AT_EMPTY_PATH');
  const unl = of('unlinkat');
  assert.equal(unl.raw.flags, 0x200);
  assert.equal(unl.args.flags, 'AT_REMOVEDIR');
  assert.equal(of('memfd_create').args.flags, 'MFD_CLOEXEC|MFD_ALLOW_SEALING');
  assert.equal(of('dup3').raw.flags, 1 << 12, 'PPM_O_CLOEXEC only, no PPM_O_RDONLY');
  assert.equal(of('dup3').args.flags, 'O_CLOEXEC');
  assert.equal(of('pipe2').raw.flags, 1 << 6);
  assert.equal(of('pipe2').args.flags, 'O_NONBLOCK');
  const sock = of('socket');
  assert.equal(sock.args.domain, 'AF_INET');
  assert.equal(sock.raw.flags, (1 << 6) | (1 << 12));
  assert.equal(sock.args.flags, 'O_NONBLOCK|O_CLOEXEC');
  const mount = of('mount');
  assert.equal(mount.raw.flags, 6, 'MS_MGC_VAL stripped');
  assert.equal(mount.args.flags, 'NOSUID|NODEV');
  assert.equal(of('umount2').args.flags, 'DETACH');
  assert.equal(of('prctl').args.option, 'PR_SET_NAME');
  assert.equal(of('prctl').args.arg2_str, 'vgname');
  assert.equal(of('bpf').args.cmd, 'BPF_MAP_CREATE');
});
