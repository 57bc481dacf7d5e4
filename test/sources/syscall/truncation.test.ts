// Truncation made visible (issue #5): the decoder's cut marks on built events,
// then the real probe cutting a long path, a long argv and a long data buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dumpLine } from '../../../src/sources/syscall/dumpLine';
import { compileOutput } from '../../../src/engine/outputFormat';
import { syscallSource } from '../../../src/sources/syscall';
import { startCapture } from '../../../src/sources/syscall/capture';
import { EventView, forEachEvent } from '../../../src/sources/syscall/decode';
import { StateTracker } from '../../../src/sources/syscall/state/tracker';
import { cgroupRoots, liveSkipReason, record, runChild, type Rec } from './liveSupport';
import { eventBytes } from './state/eventBytes';

function viewOf(bufs: Buffer[]): { view: EventView; offsets: number[]; length: number } {
  const all = Buffer.concat(bufs);
  const offsets: number[] = [];
  let at = 0;
  for (const b of bufs) {
    offsets.push(at);
    at += b.length;
  }
  return { view: new EventView(all.buffer.slice(all.byteOffset, all.byteOffset + all.length)), offsets, length: all.length };
}

test('decode: cut marks flag the right parameters of the right events', () => {
  const events = [
    eventBytes('openat', 1, 1n, { fd: 3, dirfd: -100, name: '/a', flags: 1 }),
    eventBytes('openat', 2, 2n, { fd: -36, dirfd: -100, name: '/long/cut', flags: 1 }),
    eventBytes('sendto', 3, 3n, { res: 10, data: Buffer.from('abc'), fd: 4, size: 10 }),
    eventBytes('openat', 4, 4n, { fd: 3, dirfd: -100, name: '/b', flags: 1 }),
  ];
  const { view, offsets, length } = viewOf(events);
  const marks = new Uint32Array(1 + 2 * 8);
  view.useMarks(marks);
  // name is openat's param 2 (fd, dirfd, name), data is sendto's param 1
  marks.set([2, offsets[1], 1 << 2, offsets[2], 1 << 1]);
  const seen: string[] = [];
  const visit = (v: EventView): void => {
    const cut = [];
    for (let i = 0; i < v.nparams; i++) if (v.truncated(i)) cut.push(v.info!.params[i].name);
    seen.push(`${v.tid}:${v.isTruncated}:${cut.join(',')}`);
  };
  forEachEvent(view, length, visit);
  assert.deepEqual(seen, ['1:false:', '2:true:name', '3:true:data', '4:false:']);

  // a new batch in the same buffers: the cursor starts over, stale marks past the count are ignored
  seen.length = 0;
  marks.set([1, offsets[3], 1 << 2]);
  forEachEvent(view, length, visit);
  assert.deepEqual(seen, ['1:false:', '2:false:', '3:false:', '4:true:name']);

  // moving back within a batch finds the mark again
  marks.set([1, offsets[1], 1 << 2]);
  view.moveTo(offsets[3], length);
  assert.equal(view.isTruncated, false);
  view.moveTo(offsets[1], length);
  assert.equal(view.truncated(2), true);
  assert.equal(view.truncated(0), false);
  assert.equal(view.truncated(40), false, 'an index past the parameters is not cut');
  assert.match(view.format(), /name="\/long\/cut"\.\.\. /, 'format() marks the cut value');

  marks[0] = 0;
  view.moveTo(offsets[1], length);
  assert.equal(view.isTruncated, false, 'no marks in this batch');
  assert.doesNotMatch(view.format(), /\.\.\./);
});

test('decode: useMarks refuses a buffer that is not a count and pairs', () => {
  const view = new EventView(new ArrayBuffer(0));
  assert.throws(() => view.useMarks(new Uint32Array(0)), /marks need a count and \(offset, mask\) pairs: got 0/);
  assert.throws(() => view.useMarks(new Uint32Array(4)), /got 4 u32s/);
});

test('evt.is_truncated follows the marks', () => {
  const { view, offsets, length } = viewOf([
    eventBytes('openat', 7, 1n, { fd: 3, dirfd: -100, name: '/x', flags: 1 }),
    eventBytes('openat', 7, 2n, { fd: -36, dirfd: -100, name: '/y', flags: 1 }),
  ]);
  const marks = new Uint32Array([1, offsets[1], 1 << 2]);
  view.useMarks(marks);
  const tracker = new StateTracker();
  const fmt = compileOutput('%evt.is_truncated %fd.name', syscallSource);
  const got: string[] = [];
  forEachEvent(view, length, (v) => {
    tracker.apply(v);
    got.push(fmt.render(tracker.event));
    tracker.finish();
  });
  assert.deepEqual(got, ['false /x', 'true /y']);
});

// ---- live ----

const skip = liveSkipReason();
if (skip) console.log(`# SKIPPING live truncation tests: ${skip}`);

const SNAPLEN = 64;
const LONG_PATH = `/tmp/${'a'.repeat(5000)}`; // longer than the 4096-byte path bound
const EDGE_PATH = `/${'b'.repeat(4094)}`; // 4095 chars: its NUL is the bound's last byte, nothing cut
const SHORT_PATH = '/tmp/vigil-trunc-short';
const LONG_ARG = 'x'.repeat(200);
const LONG_ARGV0 = 'y'.repeat(100);

// perl (perl-base is in every Debian) makes each call directly: openat (257)
// with AT_FDCWD, sendto through send() with a destination, execs via system()
const SCRIPT = `
use Socket;
for my $p ("${LONG_PATH}", "${EDGE_PATH}", "${SHORT_PATH}") { my $c = $p; syscall(257, -100, $c, 0); }
socket(my $s, PF_INET, SOCK_DGRAM, 0) or die "socket: $!";
my $to = sockaddr_in(9, inet_aton("127.0.0.1"));
send($s, "z" x 200, 0, $to);
send($s, "short", 0, $to);
system { "/bin/true" } "true", "${LONG_ARG}";
system { "/bin/true" } "${LONG_ARGV0}", "after";
system { "/bin/true" } "true", "ok";
`;

test('live: a long path, argv and data buffer are cut, counted and marked; short ones are not', { skip }, async () => {
  const events: (Rec & { cut: string[] })[] = [];
  let cutParams = 0;
  const cap = startCapture({ syscalls: ['openat', 'sendto', 'execve'], snaplen: SNAPLEN }, (view, len) => {
    forEachEvent(view, len, (v) => {
      const cut: string[] = [];
      for (let i = 0; i < v.nparams; i++) if (v.truncated(i)) cut.push(v.info!.params[i].name);
      cutParams += cut.length;
      events.push({ ...record(v), cut });
    });
  });
  let pid = 0;
  try {
    pid = await runChild('perl', ['-e', SCRIPT], { env: { A: '1' }, mustSucceed: true });
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    // stop reporting, then drain: nothing is counted after the last event is delivered
    cap.setSyscalls([]);
    await new Promise((r) => setTimeout(r, 50));
    cap.drainNow();
    const st = cap.stats();
    cap.stop();
    assert.equal(st.total.dropped, 0, 'no drops');
    // the probe's counters start at zero: every cut it counted arrived marked (others' events included)
    assert.equal(st.total.truncated, cutParams, 'cut parameters counted = cut parameters delivered');
    assert.ok(st.file.truncated >= 1, 'the long path counted under file');
    assert.ok(st.net.truncated >= 1, 'the long sendto counted under net');
    assert.ok(st.process.truncated >= 2, 'the long argv and argv[0] counted under process');
  }

  const opens = events.filter((e) => e.tid === pid && e.name === 'openat' && e.dir === '<');
  const long = opens.find((e) => String(e.p.name).startsWith('/tmp/aaaa'));
  assert.ok(long, 'openat of the long path');
  assert.equal(long.p.fd, -36, 'ENAMETOOLONG');
  assert.equal(String(long.p.name).length, 4095, 'cut at the 4096-byte bound, NUL included');
  assert.deepEqual(long.cut, ['name']);
  const edge = opens.find((e) => String(e.p.name).startsWith('/bbbb'));
  assert.ok(edge, 'openat of the 4095-char path');
  assert.equal(edge.p.name, EDGE_PATH, 'whole, although its length is the bound');
  assert.deepEqual(edge.cut, [], 'a string ending exactly at the bound is not cut');
  const short = opens.find((e) => e.p.name === SHORT_PATH);
  assert.ok(short, 'openat of the short path');
  assert.deepEqual(short.cut, []);

  const sends = events.filter((e) => e.tid === pid && e.name === 'sendto');
  const big = sends.find((e) => e.p.size === 200);
  assert.ok(big, 'sendto of 200 bytes');
  assert.equal((big.p.data as string[]).join(''), 'z'.repeat(SNAPLEN), 'data cut at the snaplen');
  assert.deepEqual(big.cut, ['data']);
  const small = sends.find((e) => e.p.size === 5);
  assert.ok(small, 'sendto of 5 bytes');
  assert.deepEqual(small.p.data, ['short']);
  assert.deepEqual(small.cut, []);

  const execs = events.filter((e) => e.name === 'execve' && e.p.ptid === pid && e.p.res === 0);
  const longArgs = execs.find((e) => String((e.p.args as string[])[0]).startsWith('xxxx'));
  assert.ok(longArgs, 'exec with a long argument');
  assert.equal(longArgs.p.exe, 'true');
  assert.equal((longArgs.p.args as string[]).join('').length, SNAPLEN, 'args cut at the snaplen');
  assert.deepEqual(longArgs.cut, ['args']);
  const longExe = execs.find((e) => String(e.p.exe).startsWith('yyyy'));
  assert.ok(longExe, 'exec with a long argv[0]');
  assert.equal(String(longExe.p.exe).length, SNAPLEN - 1, 'argv[0] cut at the snaplen, NUL included');
  assert.deepEqual(longExe.p.args, ['after'], 'the next argument still starts after the whole argv[0]');
  assert.deepEqual(longExe.cut, ['exe']);
  const ok = execs.find((e) => (e.p.args as string[])[0] === 'ok');
  assert.ok(ok, 'exec with a short argv');
  assert.deepEqual(ok.cut, [], 'nothing cut');
});

/** a chain of `depth` nested cgroups in a hierarchy this machine lets us write, or undefined */
function deepCgroup(depth: number): { leaf: string; cleanup: () => void } | undefined {
  for (const root of cgroupRoots()) {
    const dirs = [path.join(root, `vigil-trunc-${process.pid}`)];
    for (let i = 1; i < depth; i++) dirs.push(path.join(dirs[i - 1], `l${i}`));
    try {
      fs.mkdirSync(dirs[depth - 1], { recursive: true });
    } catch {
      continue;
    }
    return {
      leaf: dirs[depth - 1],
      cleanup: () => {
        for (const d of dirs.reverse()) {
          try {
            fs.rmdirSync(d);
          } catch {
            /* still busy: left behind, named by this test's pid */
          }
        }
      },
    };
  }
  return undefined;
}

test('live: a cgroup path deeper than the 8 levels the probe keeps is marked cut', { skip }, async (t) => {
  const cg = deepCgroup(10);
  if (!cg) {
    t.skip('no writable cgroup hierarchy');
    return;
  }
  const events: (Rec & { cut: string[] })[] = [];
  const cap = startCapture({ syscalls: ['execve'] }, (view, len) => {
    forEachEvent(view, len, (v) => {
      const cut: string[] = [];
      for (let i = 0; i < v.nparams; i++) if (v.truncated(i)) cut.push(v.info!.params[i].name);
      events.push({ ...record(v), cut });
    });
  });
  let sh = 0;
  try {
    sh = await runChild('/bin/sh', ['-c', `echo $$ > ${cg.leaf}/cgroup.procs && exec /bin/true deep`], { stdio: 'ignore', env: { A: '1' } });
    await new Promise((r) => setTimeout(r, 200));
    cap.drainNow();
  } finally {
    cap.stop();
    cg.cleanup();
  }
  const deep = events.find((e) => e.tid === sh && e.name === 'execve' && (e.p.args as string[])[0] === 'deep');
  assert.ok(deep, 'exec of /bin/true in the deep cgroup');
  const entries = deep.p.cgroups as string[];
  assert.ok(entries.some((e) => e.endsWith('/l2/l3/l4/l5/l6/l7/l8/l9')), `the lowest 8 levels kept: ${entries.join(' ')}`);
  assert.ok(!entries.some((e) => e.includes(`vigil-trunc-${process.pid}`)), 'levels above them left out');
  assert.deepEqual(deep.cut, ['cgroups']);
  const shell = events.find((e) => e.tid === sh && e.name === 'execve' && e.p.comm === 'sh');
  assert.ok(shell, 'exec of the shell, before it moved');
  assert.ok(!shell.cut.includes('cgroups'), "the test process's own cgroups are not cut");
});

test('dumpLine: a cut value ends in "..."', () => {
  const { view, offsets, length } = viewOf([eventBytes('openat', 9, 1n, { fd: -36, dirfd: -100, name: '/cut/here', flags: 1 })]);
  view.useMarks(new Uint32Array([1, offsets[0], 1 << 2]));
  const tracker = new StateTracker();
  view.moveTo(0, length);
  tracker.apply(view);
  assert.match(dumpLine(tracker.event), / name=\/cut\/here\.\.\. flags=/);
  tracker.finish();
});
