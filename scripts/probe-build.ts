// npm run probe:build -- --variant NAME | --all | --btf FILE [--name NAME] [--out DIR]
//
// Builds probe artifacts for the kernels of bpf/variants.yaml into
// dist/probes/<variant>/ (or DIR/<variant>/): the CO-RE object, for variants
// that want one a minimal BTF made from the kernel's BTF (bpftool gen
// min_core_btf) for libbpf's btf_custom_path, and manifest.json (kernel,
// arch, features, relocation result, sha256 of each file). Every artifact is
// relocated against its kernel's BTF by libbpf (build/Release/vigil-probe-tool
// relocate), without loading anything into this kernel. A kernel that lacks
// what the probe needs is refused, naming what it lacks; a variant whose BTF
// cannot be had here is listed as such. Debian kernel packages are
// downloaded once into .cache/kernels/ (gitignored) and their BTF extracted
// there.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kernelVersion, missingFeatures, readCatalog, type Catalog, type Manifest, type Variant } from '../src/sources/syscall/probeVariant';

const ROOT = path.resolve(__dirname, '..');
const OBJECT = path.join(ROOT, 'build', 'generated', 'vigil.bpf.o');
const TOOL = path.join(ROOT, 'build', 'Release', 'vigil-probe-tool');
const CACHE = path.join(ROOT, '.cache', 'kernels');
const RUNNING_BTF = '/sys/kernel/btf/vmlinux';

class Refused extends Error {}

function say(msg: string): void {
  process.stderr.write(`probe:build: ${msg}\n`);
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function run(cmd: string, args: string[], what: string, cwd?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, cwd });
  if (r.error) throw new Error(`${what}: ${cmd} could not run (${r.error.message})`);
  if (r.status !== 0) throw new Error(`${what}: ${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/** Debian packages the build needs, installed when missing (root only). */
function ensureTools(): void {
  const missing = ['lz4', 'xz-utils', 'zstd', 'binutils'].filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  if (process.geteuid?.() !== 0) throw new Error(`missing Debian packages ${missing.join(', ')} (installing them needs root)`);
  say(`installing ${missing.join(' ')}`);
  run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', 'install', '-y', '-q', '--no-install-recommends', ...missing], 'apt-get install');
}

/**
 * The newest package matching a pattern such as linux-image-6.1.*-cloud-amd64-unsigned,
 * where * stands for a version (digits, dots, dashes): the generic flavour's
 * pattern must not match the cloud and rt ones.
 */
function newestPackage(pattern: string): string {
  const body = pattern.replace(/[.+]/g, (c) => `\\${c}`).replace(/\*/g, '[0-9.-]*');
  const out = run('apt-cache', ['search', '--names-only', `^${body}$`], 'apt-cache search');
  const re = new RegExp(`^${body}$`);
  const names = out.split('\n').map((l) => l.split(' ')[0]).filter((n) => n && re.test(n));
  if (names.length === 0) throw new Error(`no Debian package matches ${pattern} (run apt-get update?)`);
  return names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop()!;
}

/** compressors of a bzImage payload: magic bytes and the command that decompresses from stdin, ignoring what follows the stream */
const PAYLOADS = [
  { name: 'lz4', magic: [0x02, 0x21, 0x4c, 0x18], cmd: 'lz4 -dc' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], cmd: 'xz -dc --single-stream' },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], cmd: 'zstd -dc' },
  { name: 'gzip', magic: [0x1f, 0x8b, 0x08], cmd: 'gzip -dc' },
];

/**
 * The raw BTF of a Debian kernel package, cached: the package's vmlinuz is
 * a bzImage whose payload is the compressed vmlinux (LZ4 for the generic and
 * cloud flavours, XZ for rt); its .BTF section is the kernel's BTF.
 */
function debianBtf(pattern: string): { btf: string; pkg: string; release: string } {
  const pkg = newestPackage(pattern);
  const btf = path.join(CACHE, `${pkg}.btf`);
  const release = pkg.replace(/^linux-image-/, '').replace(/-unsigned$/, '');
  if (fs.existsSync(btf)) return { btf, pkg, release };
  ensureTools();
  fs.mkdirSync(CACHE, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-kpkg-'));
  try {
    say(`downloading ${pkg}`);
    run('apt-get', ['download', pkg], 'apt-get download', work);
    const deb = fs.readdirSync(work).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb`);
    execFileSync('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -x -C "$2" --wildcards './boot/vmlinuz-*'`, 'sh', path.join(work, deb), work]);
    const vmlinuz = path.join(work, 'boot', fs.readdirSync(path.join(work, 'boot')).find((f) => f.startsWith('vmlinuz-'))!);
    // the payload starts at the first compressor magic in the image
    const image = fs.readFileSync(vmlinuz);
    const found = PAYLOADS.map((c) => ({ ...c, at: image.indexOf(Buffer.from(c.magic)) })).filter((c) => c.at >= 0).sort((a, b) => a.at - b.at)[0];
    if (!found) throw new Error(`${vmlinuz}: no lz4, xz, zstd or gzip payload found`);
    fs.writeFileSync(path.join(work, 'payload'), image.subarray(found.at));
    // the bytes after the compressed stream (the rest of the bzImage) make some decompressors complain: the output is what counts
    spawnSync('sh', ['-c', `${found.cmd} < "$1" > "$2"`, 'sh', path.join(work, 'payload'), path.join(work, 'vmlinux')]);
    if (!fs.existsSync(path.join(work, 'vmlinux')) || fs.statSync(path.join(work, 'vmlinux')).size < 1 << 20) {
      throw new Error(`${vmlinuz}: ${found.name} could not decompress its payload`);
    }
    run('objcopy', ['-O', 'binary', '--only-section=.BTF', path.join(work, 'vmlinux'), `${btf}.tmp`], 'objcopy .BTF');
    if (fs.statSync(`${btf}.tmp`).size === 0) throw new Error(`${pkg}: its vmlinux has no .BTF section`);
    fs.renameSync(`${btf}.tmp`, btf);
    return { btf, pkg, release };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface Relocation {
  target: string;
  result: 'relocated';
  poisoned: number;
}

/** libbpf's CO-RE relocation of every program against `btf`; throws with libbpf's words when it fails. */
function relocate(object: string, btf: string): Relocation {
  const r = spawnSync(TOOL, ['relocate', object, btf], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`relocation against ${btf} failed:\n${(r.stdout + r.stderr).trim()}`);
  const poisoned = [...r.stdout.matchAll(/(\d+) poisoned/g)].reduce((a, m) => a + Number(m[1]), 0);
  return { target: btf, result: 'relocated', poisoned };
}

function fileEntry(dir: string, name: string): { sha256: string; bytes: number } {
  const f = path.join(dir, name);
  return { sha256: sha256(f), bytes: fs.statSync(f).size };
}

/** Build one variant into out/<name>/; returns its manifest. Throws Refused for a kernel the probe cannot run on. */
export function buildVariant(v: Variant, catalog: Catalog, out: string, btfFile?: string): Manifest {
  let kernel = v.kernel;
  let btf: string | undefined = btfFile;
  let btfOrigin = btfFile ? `given: ${btfFile}` : '';
  if (v.kernel === 'running') {
    kernel = os.release();
    btf = RUNNING_BTF;
    btfOrigin = `${RUNNING_BTF} of the running kernel`;
  }
  const features = v.kernel === 'running' ? runningFeatures() : { btf: v.btf, ringbuf: v.ringbuf, tp_btf: v.tp_btf, fentry: v.fentry };
  const missing = missingFeatures(catalog, kernelVersion(kernel ?? ''), features.btf ?? false);
  if (missing.length > 0) throw new Refused(`${v.name} (Linux ${kernel}, ${v.arch}): refused, the kernel lacks ${missing.join('; ')}`);
  if (!btf && v.btf_source === 'debian-package') {
    const d = debianBtf(v.package!);
    btf = d.btf;
    kernel = d.release;
    btfOrigin = `.BTF of the vmlinux in Debian package ${d.pkg}`;
  }
  if (!btf) throw new Refused(`${v.name} (Linux ${kernel}): no BTF file for this kernel can be had here (${v.source ?? 'no source'}); build it with --btf FILE`);
  const dir = path.join(out, v.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(OBJECT, path.join(dir, 'vigil.bpf.o'));
  let minBtf: string | undefined;
  let relocation: Relocation;
  if (v.min_btf || btfFile) {
    minBtf = 'vigil.min.btf';
    run('bpftool', ['gen', 'min_core_btf', btf, path.join(dir, minBtf), path.join(dir, 'vigil.bpf.o')], 'bpftool gen min_core_btf');
    relocate(path.join(dir, 'vigil.bpf.o'), btf);
    relocation = relocate(path.join(dir, 'vigil.bpf.o'), path.join(dir, minBtf));
    relocation.target = `${minBtf} (from ${btfOrigin})`;
  } else {
    relocation = relocate(path.join(dir, 'vigil.bpf.o'), btf);
    relocation.target = btfOrigin;
  }
  const files: Manifest['files'] = { 'vigil.bpf.o': fileEntry(dir, 'vigil.bpf.o') };
  if (minBtf) files[minBtf] = fileEntry(dir, minBtf);
  const manifest: Manifest = {
    variant: v.name,
    description: v.description,
    kernel: kernel ?? 'unknown',
    arch: v.arch,
    features,
    object: 'vigil.bpf.o',
    ...(minBtf ? { minBtf } : {}),
    relocation,
    files,
    ...(v.source ? { source: v.source } : {}),
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** What the running kernel offers, from what can be seen without loading anything. */
function runningFeatures(): Manifest['features'] {
  const [major, minor] = kernelVersion(os.release());
  const at = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  return { btf: fs.existsSync(RUNNING_BTF), ringbuf: at(5, 8), tp_btf: at(5, 5) && fs.existsSync(RUNNING_BTF), fentry: at(5, 5) && fs.existsSync(RUNNING_BTF) };
}

function usage(): never {
  say('usage: npm run probe:build -- --variant NAME | --all | --btf FILE [--name NAME] [--out DIR]');
  process.exit(64);
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] ?? usage() : undefined;
  };
  const out = path.resolve(opt('--out') ?? path.join(ROOT, 'dist', 'probes'));
  const catalog = readCatalog();
  for (const f of [OBJECT, TOOL]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run sh scripts/setup-native.sh first`);
  let todo: { v: Variant; btf?: string }[];
  const btfFile = opt('--btf');
  if (btfFile) {
    if (!fs.existsSync(btfFile)) throw new Error(`--btf ${btfFile}: no such file`);
    const name = opt('--name') ?? `btf-${path.basename(btfFile).replace(/[^A-Za-z0-9._-]/g, '_')}`;
    todo = [{ v: { name, description: `built from ${btfFile}`, kernel: opt('--kernel') ?? 'unknown', arch: 'x86_64', btf: true, ringbuf: true, tp_btf: true, fentry: true, btf_source: 'file' }, btf: path.resolve(btfFile) }];
  } else if (args.includes('--all')) {
    todo = catalog.variants.map((v) => ({ v }));
  } else {
    const name = opt('--variant') ?? usage();
    const v = catalog.variants.find((x) => x.name === name);
    if (!v) throw new Error(`no variant '${name}' in bpf/variants.yaml: there are ${catalog.variants.map((x) => x.name).join(', ')}`);
    todo = [{ v }];
  }
  let failed = 0;
  todo.forEach(({ v, btf }, i) => {
    say(`[${i + 1}/${todo.length}] ${v.name}`);
    try {
      const m = buildVariant(v, catalog, out, btf);
      const size = Object.entries(m.files).map(([f, e]) => `${f} ${e.bytes} B`).join(', ');
      console.log(`${v.name}: built and relocated (Linux ${m.kernel}, against ${m.relocation.target}, ${m.relocation.poisoned} relocations poisoned where the kernel lacks a field the probe tests for); ${size}; ${path.join(out, v.name)}`);
    } catch (e) {
      if (e instanceof Refused) console.log(e.message);
      else {
        failed++;
        console.log(`${v.name}: FAILED: ${(e as Error).message}`);
      }
      // a single named variant that cannot be built is an error for the caller
      if (todo.length === 1) process.exitCode = e instanceof Refused ? 2 : 1;
    }
  });
  if (failed > 0) process.exitCode = 1;
}

if (require.main === module) main();
