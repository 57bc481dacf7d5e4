// The agent's choice of probe: kernels lacking what the probe needs are
// refused before any load, naming the kernel and what it lacks (from the
// catalog's requirements); an artifact given with --probe is checked against
// its manifest's checksums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureError } from '../../../src/sources/syscall/probe';
import { chooseProbe, readArtifact, readCatalog } from '../../../src/sources/syscall/probeVariant';

const catalog = readCatalog();
const refusal = (release: string, btf: boolean): CaptureError => {
  try {
    chooseProbe({ release, btf, arch: 'x86_64', catalog });
  } catch (e) {
    return e as CaptureError;
  }
  throw new Error(`Linux ${release} was not refused`);
};

test('a kernel before 5.8 is refused, naming the kernel and the ring buffer it lacks', () => {
  const e = refusal('4.19.202', false);
  assert.equal(e.code, 'KERNEL_TOO_OLD');
  assert.match(e.message, /Linux 4\.19\.202/);
  assert.match(e.message, /BPF ring buffer .*\(Linux 5\.8\)/);
  assert.match(e.message, /--disable-source syscall/);
});

test("minikube's 5.10 kernels have BTF and a ring buffer but lack two helpers the probe calls", () => {
  const e = refusal('5.10.207', true);
  assert.equal(e.code, 'KERNEL_TOO_OLD');
  assert.doesNotMatch(e.message, /ring buffer/);
  assert.match(e.message, /bpf_get_current_task_btf\(\) \(Linux 5\.11\)/);
  assert.match(e.message, /bpf_task_pt_regs\(\) \(Linux 5\.15\)/);
});

test('a new kernel without its own BTF is refused naming CONFIG_DEBUG_INFO_BTF', () => {
  const e = refusal('6.6.95', false);
  assert.equal(e.code, 'NO_BTF');
  assert.match(e.message, /CONFIG_DEBUG_INFO_BTF=y/);
});

test('a kernel with everything gets the built-in probe, and says why', () => {
  const c = chooseProbe({ release: '6.1.0-55-cloud-amd64', btf: true, arch: 'x86_64', catalog });
  assert.equal(c.variant, 'built-in');
  assert.equal(c.objectPath, undefined);
  assert.match(c.why, /relocated against this kernel's own BTF/);
});

test('every catalogued variant names its source or how its BTF is had, and the old ones are refused', () => {
  for (const v of catalog.variants) {
    assert.ok(v.kernel === 'running' || v.source, `${v.name} says where its facts come from`);
  }
  const old = catalog.variants.filter((v) => v.kernel.startsWith('4.'));
  assert.ok(old.length >= 1, 'a pre-5.8 kernel is catalogued');
  for (const v of old) assert.equal(v.ringbuf, false, `${v.name} has no ring buffer`);
});

test('an artifact whose file does not match its manifest is refused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-artifact-'));
  try {
    fs.writeFileSync(path.join(dir, 'vigil.bpf.o'), 'not the object');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ variant: 'x', kernel: '6.1', arch: 'x86_64', features: {}, object: 'vigil.bpf.o', relocation: { target: '', result: 'relocated', poisoned: 0 }, files: { 'vigil.bpf.o': { sha256: '0'.repeat(64), bytes: 14 } } }));
    assert.throws(() => readArtifact(dir), (e: CaptureError) => e.code === 'BAD_PROBE' && /vigil\.bpf\.o does not match the manifest/.test(e.message));
    fs.rmSync(path.join(dir, 'manifest.json'));
    assert.throws(() => readArtifact(dir), (e: CaptureError) => e.code === 'BAD_PROBE' && /cannot read its manifest/.test(e.message));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
