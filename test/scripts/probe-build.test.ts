// npm run probe:build: artifacts with manifests whose checksums match, every
// program relocated by libbpf against each kernel's BTF (this machine's, and
// Debian 6.1's generic, cloud and rt kernels from their packages), the old
// kernels of the catalog refused by name, and a min-BTF artifact made from
// this machine's BTF loading and capturing here with that file as its only
// type source for relocation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startCapture } from '../../src/sources/syscall/capture';
import { forEachEvent } from '../../src/sources/syscall/decode';
import { ADDON_PATH } from '../../src/sources/syscall/probe';
import { chooseProbe, readCatalog, type Manifest } from '../../src/sources/syscall/probeVariant';
import { liveSkipReason, record } from '../sources/syscall/liveSupport';

const ROOT = path.resolve(__dirname, '../..');
const TOOL = path.join(ROOT, 'build', 'Release', 'vigil-probe-tool');
const skip = liveSkipReason() ?? (fs.existsSync(ADDON_PATH) && fs.existsSync(TOOL) ? undefined : `the addon or ${TOOL} is not built`);
if (skip) console.log(`# SKIPPING probe:build tests: ${skip}`);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-probes-'));
process.on('exit', () => fs.rmSync(out, { recursive: true, force: true }));

function build(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'probe-build.ts'), ...args, '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function manifestOf(variant: string): Manifest {
  const m = JSON.parse(fs.readFileSync(path.join(out, variant, 'manifest.json'), 'utf8')) as Manifest;
  for (const [name, want] of Object.entries(m.files)) {
    const data = fs.readFileSync(path.join(out, variant, name));
    assert.equal(crypto.createHash('sha256').update(data).digest('hex'), want.sha256, `${variant}/${name} matches its manifest`);
    assert.equal(data.length, want.bytes);
  }
  return m;
}

test('the host variant builds, relocates against this kernel and lists its files with checksums', { skip }, () => {
  const r = build('--variant', 'host');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = manifestOf('host');
  assert.equal(m.kernel, os.release());
  assert.equal(m.relocation.result, 'relocated');
  assert.deepEqual(Object.keys(m.files), ['vigil.bpf.o']);
  assert.match(r.stdout, /host: built and relocated/);
});

test('a pre-5.8 kernel of the catalog is refused, naming what it lacks', { skip }, () => {
  const r = build('--variant', 'minikube-1.20-1.25');
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /minikube-1\.20-1\.25 \(Linux 4\.19\.182-4\.19\.202, x86_64\): refused, the kernel lacks BPF ring buffer/);
  assert.equal(fs.existsSync(path.join(out, 'minikube-1.20-1.25')), false, 'nothing written for it');
});

test('an unknown variant is an error listing the catalogued ones', { skip }, () => {
  const r = build('--variant', 'nope');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no variant 'nope' in bpf\/variants\.yaml: there are host, host-min-btf/);
});

test("the min-BTF variant made from this machine's BTF loads and captures with that file as its type source", { skip }, async () => {
  const r = build('--variant', 'host-min-btf');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const m = manifestOf('host-min-btf');
  assert.equal(m.minBtf, 'vigil.min.btf');
  const btfBytes = m.files['vigil.min.btf'].bytes;
  assert.ok(btfBytes > 0 && btfBytes < 64 * 1024, `a minimal BTF (${btfBytes} B), not the kernel's (${fs.statSync('/sys/kernel/btf/vmlinux').size} B)`);
  const choice = chooseProbe({ probe: path.join(out, 'host-min-btf') });
  assert.equal(choice.btfPath, path.join(out, 'host-min-btf', 'vigil.min.btf'));
  assert.match(choice.why, /given with --probe: variant host-min-btf/);
  const target = path.join(out, `opened-${process.pid}`);
  const opened: string[] = [];
  const cap = startCapture({ syscalls: ['openat'], objectPath: choice.objectPath, btfPath: choice.btfPath }, (view, len) => {
    forEachEvent(view, len, (v) => {
      const e = record(v);
      if (e.name === 'openat' && e.dir === '<' && e.p.name === target) opened.push(e.p.name as string);
    });
  });
  try {
    // from a child: the probe never reports the agent's own process
    assert.equal(spawnSync('touch', [target]).status, 0);
    for (const end = Date.now() + 5000; opened.length === 0 && Date.now() < end; ) await new Promise((res) => setTimeout(res, 20));
  } finally {
    cap.stop();
  }
  assert.ok(opened.length >= 1, 'the openat of the file was captured through the min-BTF probe');
});

const debian = readCatalog().variants.filter((v) => v.btf_source === 'debian-package');
const aptSkip = skip ?? (spawnSync('apt-cache', ['search', '--names-only', '^linux-image-6\\.1\\..*-cloud-amd64-unsigned$'], { encoding: 'utf8' }).stdout.trim() ? undefined : 'apt-cache knows no linux-image-6.1 package (apt-get update not run?)');
if (aptSkip && !skip) console.log(`# SKIPPING Debian kernel relocation: ${aptSkip}`);

for (const v of debian) {
  test(`${v.name}: every program relocates against the BTF of Debian's package (${v.package})`, { skip: aptSkip }, () => {
    const r = build('--variant', v.name);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const m = manifestOf(v.name);
    assert.match(m.kernel, /^6\.1\./);
    assert.match(m.relocation.target, /\.BTF of the vmlinux in Debian package linux-image-6\.1\./);
    assert.equal(m.relocation.result, 'relocated');
  });
}
