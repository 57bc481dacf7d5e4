// Which probe the agent loads on this kernel, and why. The CO-RE object built
// into the addon, relocated against the kernel's own BTF, serves every kernel
// that has what the probe needs; an artifact of `npm run probe:build` (its
// object, and a minimal BTF when one was made) is loaded when given with
// --probe. A kernel that lacks what the probe's programs need is refused here,
// before anything is loaded, naming the kernel and what it lacks: the needs
// are the catalog's (bpf/variants.yaml, `requires`).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CaptureError } from './probe';

export interface Requirement {
  feature: string;
  /** first Linux release with it, "major.minor" */
  since: string;
  what: string;
}

export interface Variant {
  name: string;
  description?: string;
  /** a version, a first-last range, or 'running' */
  kernel: string;
  arch: string;
  btf?: boolean;
  ringbuf?: boolean;
  tp_btf?: boolean;
  fentry?: boolean;
  btf_source: 'running' | 'debian-package' | 'none' | 'file';
  package?: string;
  min_btf?: boolean;
  source?: string;
}

export interface Catalog {
  requires: Requirement[];
  variants: Variant[];
}

/** dist/probes/<variant>/manifest.json, as npm run probe:build writes it */
export interface Manifest {
  variant: string;
  description?: string;
  kernel: string;
  arch: string;
  features: { btf?: boolean; ringbuf?: boolean; tp_btf?: boolean; fentry?: boolean };
  object: string;
  minBtf?: string;
  relocation: { target: string; result: string; poisoned: number };
  files: Record<string, { sha256: string; bytes: number }>;
  source?: string;
}

/** the catalog, from src/ or dist/ alike */
export const CATALOG_PATH = path.resolve(__dirname, '../../../bpf/variants.yaml');

export function readCatalog(file = CATALOG_PATH): Catalog {
  return parse(fs.readFileSync(file, 'utf8')) as Catalog;
}

/** [major, minor] of a kernel release or a first-last range (its first), [0, 0] when unreadable */
export function kernelVersion(release: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** what a kernel of this version (with or without its own BTF) lacks of the probe's needs, worded for a person */
export function missingFeatures(catalog: Catalog, version: [number, number], btf: boolean): string[] {
  const out: string[] = [];
  for (const r of catalog.requires) {
    const [maj, min] = kernelVersion(r.since);
    const older = version[0] < maj || (version[0] === maj && version[1] < min);
    if (r.feature === 'btf' ? !btf || older : older) out.push(`${r.what} (Linux ${r.since}${r.feature === 'btf' ? ', CONFIG_DEBUG_INFO_BTF=y' : ''})`);
  }
  return out;
}

/** The probe the agent loads: objectPath/btfPath for the addon (undefined: the built-in object, the kernel's BTF) and why. */
export interface ProbeChoice {
  variant: string;
  objectPath?: string;
  btfPath?: string;
  why: string;
  kernel: string;
}

const HOW_TO_SKIP = 'run the agent with --disable-source syscall to go on without syscall capture';

/** Read a probe artifact (its directory or its manifest.json) and check every file against the manifest's sha256. */
export function readArtifact(p: string): { dir: string; manifest: Manifest } {
  const file = fs.existsSync(p) && fs.statSync(p).isDirectory() ? path.join(p, 'manifest.json') : p;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new CaptureError('BAD_PROBE', `--probe ${p}: cannot read its manifest ${file} (${(e as Error).message}); build one with npm run probe:build`);
  }
  const dir = path.dirname(file);
  if (typeof manifest.object !== 'string' || typeof manifest.files !== 'object' || !manifest.files) {
    throw new CaptureError('BAD_PROBE', `--probe ${p}: ${file} is not a probe manifest (no object or files)`);
  }
  for (const [name, want] of Object.entries(manifest.files)) {
    const at = path.join(dir, name);
    if (!fs.existsSync(at)) throw new CaptureError('BAD_PROBE', `--probe ${p}: ${name} is listed in the manifest but missing`);
    const got = crypto.createHash('sha256').update(fs.readFileSync(at)).digest('hex');
    if (got !== want.sha256) throw new CaptureError('BAD_PROBE', `--probe ${p}: ${name} does not match the manifest (sha256 ${got}, manifest ${want.sha256})`);
  }
  return { dir, manifest };
}

/**
 * Decide which probe to load on the running kernel, or refuse with what it
 * lacks. `probe`: an artifact given with --probe.
 */
export function chooseProbe(opts: { probe?: string; release?: string; btf?: boolean; arch?: string; catalog?: Catalog } = {}): ProbeChoice {
  const release = opts.release ?? os.release();
  const btf = opts.btf ?? fs.existsSync('/sys/kernel/btf/vmlinux');
  const arch = opts.arch ?? (process.arch === 'x64' ? 'x86_64' : process.arch);
  const catalog = opts.catalog ?? readCatalog();
  const missing = missingFeatures(catalog, kernelVersion(release), btf);
  if (arch !== 'x86_64') throw new CaptureError('KERNEL_TOO_OLD', `the probe is built for x86_64; this machine is ${arch}: ${HOW_TO_SKIP}`);
  if (missing.length > 0) {
    const code = missing.length === 1 && !btf ? 'NO_BTF' : 'KERNEL_TOO_OLD';
    throw new CaptureError(code, `syscall capture cannot run on Linux ${release}: it lacks ${missing.join('; ')}, which the probe's programs use: ${HOW_TO_SKIP}`);
  }
  if (opts.probe) {
    const { dir, manifest } = readArtifact(opts.probe);
    if (manifest.arch !== arch) throw new CaptureError('BAD_PROBE', `--probe ${opts.probe}: built for ${manifest.arch}, this machine is ${arch}`);
    return {
      variant: manifest.variant,
      objectPath: path.join(dir, manifest.object),
      btfPath: manifest.minBtf ? path.join(dir, manifest.minBtf) : undefined,
      why: `given with --probe: variant ${manifest.variant}, built for Linux ${manifest.kernel}${manifest.minBtf ? `, relocated against its minimal BTF ${manifest.minBtf} instead of the kernel's` : ''}`,
      kernel: release,
    };
  }
  return {
    variant: 'built-in',
    why: `the CO-RE probe built into the addon, relocated against this kernel's own BTF (/sys/kernel/btf/vmlinux): Linux ${release} has every feature the probe needs (${catalog.requires.map((r) => r.feature).join(', ')})`,
    kernel: release,
  };
}

/**
 * What `vigil --probe-info` prints: the kernel, what it offers, and the
 * probe it gets (or why none); `ok` is false when it would be refused.
 */
export function probeInfo(probe?: string): { lines: string[]; ok: boolean } {
  const release = os.release();
  const btf = fs.existsSync('/sys/kernel/btf/vmlinux');
  const lines = [`kernel: Linux ${release} (${process.arch === 'x64' ? 'x86_64' : process.arch}), own BTF: ${btf ? 'yes (/sys/kernel/btf/vmlinux)' : 'no'}`];
  try {
    const c = chooseProbe({ probe, release, btf });
    lines.push(`probe: ${c.variant}${c.objectPath ? ` (${c.objectPath}${c.btfPath ? `, BTF ${c.btfPath}` : ''})` : ''}`);
    lines.push(`why: ${c.why}`);
    return { lines, ok: true };
  } catch (e) {
    lines.push(`probe: none: ${(e as Error).message}`);
    return { lines, ok: false };
  }
}
