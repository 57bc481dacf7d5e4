// minikube/enable-k8s-audit.sh against sample kube-apiserver static pod
// manifests (--manifest, as on a kubeadm node; minikube's node is reached the
// same way through minikube ssh/cp): the dry run prints the expected patch and
// changes nothing, applying writes the patch and the files, applying again
// changes nothing; and shellcheck on every shell script of the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import { Pod } from 'kubernetes-models/v1';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'minikube/enable-k8s-audit.sh');
const FIX = path.join(__dirname, 'fixtures');

type Obj = Record<string, any>;

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('sh', [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A copy of a fixture manifest, and a config dir, in a fresh temp dir. */
function node(fixture: string): { manifest: string; configDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-node-'));
  const manifest = path.join(dir, 'kube-apiserver.yaml');
  fs.copyFileSync(path.join(FIX, fixture), manifest);
  return { manifest, configDir: path.join(dir, 'etc-kubernetes-vigil') };
}

/** The manifest part of a dry run's output (it ends where the files' diffs begin). */
function manifestPatch(out: string): string {
  const end = out.search(/^(--- \/|# would apply)/m);
  return end < 0 ? out : out.slice(0, end);
}

function apiserver(manifest: string): Obj {
  const pod = YAML.parse(fs.readFileSync(manifest, 'utf8')) as Obj;
  assert.doesNotThrow(() => new Pod(pod).validate(), 'the patched manifest is still a valid Pod');
  return pod.spec.containers[0];
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    const st = fs.statSync(p);
    if (st.isFile()) out.set(f, `${st.mtimeMs} ${st.mode.toString(8)} ${fs.readFileSync(p, 'utf8')}`);
  }
  return out;
}

test('shellcheck: every shell script of the repository is clean', (t) => {
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    // setup.sh installs it as root; say loudly when it could not
    t.skip('SKIPPED: shellcheck is not installed (scripts/setup.sh installs the Debian package as root)');
    return;
  }
  const scripts = spawnSync('git', ['ls-files', '*.sh'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const s of ['minikube/enable-k8s-audit.sh', 'scripts/build-image.sh', 'scripts/setup.sh']) assert.ok(scripts.includes(s), `${s} is tracked`);
  const r = spawnSync('shellcheck', scripts, { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // and it does find problems: the check is not vacuous
  const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-sc-')), 'bad.sh');
  fs.writeFileSync(bad, '#!/bin/sh\nrm -rf $1/*\n');
  assert.notEqual(spawnSync('shellcheck', [bad]).status, 0);
});

test('static: the dry run prints the expected patch and changes nothing', () => {
  const { manifest } = node('kube-apiserver.yaml');
  const dir = path.dirname(manifest);
  const before = snapshot(dir);
  // the default config dir, /etc/kubernetes/vigil: a dry run only reads it
  const r = run('--dry-run', '--manifest', manifest, '--service-ip', '10.96.12.34');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(manifestPatch(r.stdout), fs.readFileSync(path.join(FIX, 'kube-apiserver.static.patch'), 'utf8'));
  // the two files it would write, as diffs against what is there
  assert.match(r.stdout, /^\+\+\+ \/etc\/kubernetes\/vigil\/audit-policy\.yaml \(new\)$/m);
  assert.match(r.stdout, /^\+\+\+ \/etc\/kubernetes\/vigil\/webhook-config\.yaml \(new\)$/m);
  assert.match(r.stdout, /^\+      server: "http:\/\/10\.96\.12\.34:8765\/k8s-audit"$/m);
  assert.deepEqual(snapshot(dir), before);
});

test('static: applying patches the manifest and writes the files; applying again changes nothing', () => {
  const { manifest, configDir } = node('kube-apiserver.yaml');
  const original = fs.readFileSync(manifest, 'utf8');
  const args = ['--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34'];
  const first = run(...args);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /patching .*kube-apiserver\.yaml/);

  const c = apiserver(manifest);
  assert.deepEqual(c.command.filter((f: string) => f.startsWith('--audit-')), [
    `--audit-policy-file=${configDir}/audit-policy.yaml`,
    `--audit-webhook-config-file=${configDir}/webhook-config.yaml`,
    '--audit-webhook-batch-max-wait=5s',
    '--audit-webhook-version=audit.k8s.io/v1',
  ]);
  assert.equal(c.command[0], 'kube-apiserver');
  assert.deepEqual(c.volumeMounts.filter((m: Obj) => m.name === 'vigil-audit'), [{ mountPath: configDir, name: 'vigil-audit', readOnly: true }]);
  const pod = YAML.parse(fs.readFileSync(manifest, 'utf8')) as Obj;
  assert.deepEqual(pod.spec.volumes.filter((v: Obj) => v.name === 'vigil-audit'), [{ hostPath: { path: configDir, type: 'DirectoryOrCreate' }, name: 'vigil-audit' }]);
  assert.equal(fs.readFileSync(path.join(configDir, 'audit-policy.yaml'), 'utf8'), fs.readFileSync(path.join(ROOT, 'minikube/audit-policy.yaml'), 'utf8'));
  assert.match(fs.readFileSync(path.join(configDir, 'webhook-config.yaml'), 'utf8'), /server: "http:\/\/10\.96\.12\.34:8765\/k8s-audit"/);
  assert.equal(fs.readFileSync(path.join(configDir, 'kube-apiserver.yaml.orig'), 'utf8'), original, 'the original is kept');
  // the manifest is the dry run's patch applied, nothing else
  const lines = fs.readFileSync(manifest, 'utf8').split('\n');
  const added = lines.filter((l) => !original.split('\n').includes(l) || l.includes('vigil'));
  assert.ok(added.length <= 13, added.join('\n'));

  const state = snapshot(path.dirname(manifest));
  const second = run(...args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /nothing to change/);
  assert.deepEqual(snapshot(path.dirname(manifest)), state, 'no file written, byte for byte and mtime');
  const dry = run('--dry-run', ...args);
  assert.equal(dry.stdout, '# kube-apiserver.yaml: no change\n');
});

test('static: a new Service IP rewrites only the webhook config, and says the API server must restart to read it', () => {
  const { manifest, configDir } = node('kube-apiserver.yaml');
  assert.equal(run('--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34').code, 0);
  const patched = fs.readFileSync(manifest, 'utf8');
  const r = run('--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.99.1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /writing .*webhook-config\.yaml/);
  assert.doesNotMatch(r.stderr, /audit-policy\.yaml/);
  assert.match(r.stderr, /reads the changed files only when it restarts/);
  assert.equal(fs.readFileSync(manifest, 'utf8'), patched);
  assert.match(fs.readFileSync(path.join(configDir, 'webhook-config.yaml'), 'utf8'), /10\.96\.99\.1:8765/);
});

test('static: flags already set to other values are replaced in place, not repeated', () => {
  const { manifest, configDir } = node('kube-apiserver.yaml');
  const text = fs.readFileSync(manifest, 'utf8').replace('    - --allow-privileged=true\n', '    - --allow-privileged=true\n    - --audit-policy-file=/etc/old/policy.yaml\n    - --audit-webhook-batch-max-wait=30s\n');
  fs.writeFileSync(manifest, text);
  assert.equal(run('--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34').code, 0);
  const flags = apiserver(manifest).command as string[];
  assert.deepEqual(flags.filter((f) => f.startsWith('--audit-policy-file')), [`--audit-policy-file=${configDir}/audit-policy.yaml`]);
  assert.deepEqual(flags.filter((f) => f.startsWith('--audit-webhook-batch-max-wait')), ['--audit-webhook-batch-max-wait=5s']);
  assert.equal(flags.indexOf(`--audit-policy-file=${configDir}/audit-policy.yaml`), flags.indexOf('--allow-privileged=true') + 1, 'in place');
});

test('dynamic (1.16): the expected patch merges the feature gate into the existing list; applying twice changes nothing', () => {
  const { manifest, configDir } = node('kube-apiserver-1.16.yaml');
  const dry = run('--dry-run', '--mode', 'dynamic', '--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34');
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(manifestPatch(dry.stdout), fs.readFileSync(path.join(FIX, 'kube-apiserver-1.16.dynamic.patch'), 'utf8'));
  const sink = YAML.parse(dry.stdout.slice(dry.stdout.indexOf('# would apply'))) as Obj;
  assert.equal(sink.kind, 'AuditSink');
  assert.equal(sink.spec.webhook.clientConfig.url, 'http://10.96.12.34:8765/k8s-audit');

  // applying: kubectl here is a stand-in that serves the AuditSink API and keeps what it is asked to apply
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kubectl-'));
  const appliedFile = path.join(bin, 'applied.yaml');
  fs.writeFileSync(path.join(bin, 'kubectl'), `#!/bin/sh\ncase "$1" in\n  api-versions) echo v1; echo auditregistration.k8s.io/v1alpha1 ;;\n  apply) cat "$3" > '${appliedFile}' ;;\n  *) exit 1 ;;\nesac\n`, { mode: 0o755 });
  const applied = spawnSync('sh', [SCRIPT, '--mode', 'dynamic', '--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34'], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  });
  assert.equal(applied.status, 0, applied.stderr);
  assert.match(applied.stderr, /patching .*kube-apiserver\.yaml/);
  assert.deepEqual(YAML.parse(fs.readFileSync(appliedFile, 'utf8')), sink, 'the AuditSink of the dry run was applied');
  const flags = apiserver(manifest).command as string[];
  assert.ok(flags.includes('--audit-dynamic-configuration'));
  assert.ok(flags.includes('--feature-gates=RemoveSelfLink=false,DynamicAuditing=true'));
  assert.ok(flags.includes('--runtime-config=auditregistration.k8s.io/v1alpha1=true'));
  assert.equal(flags.filter((f) => f.startsWith('--feature-gates')).length, 1);
  assert.deepEqual(apiserver(manifest).volumeMounts.filter((m: Obj) => m.name === 'vigil-audit'), [], 'no files, no volume');
  const again = run('--dry-run', '--mode', 'dynamic', '--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34');
  assert.match(again.stdout, /^# kube-apiserver\.yaml: no change\n# would apply/);
  // a gate set to false is corrected, not doubled
  fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('DynamicAuditing=true', 'DynamicAuditing=false'));
  const fixed = run('--dry-run', '--mode', 'dynamic', '--manifest', manifest, '--config-dir', configDir, '--service-ip', '10.96.12.34');
  assert.match(fixed.stdout, /^-    - --feature-gates=RemoveSelfLink=false,DynamicAuditing=false\n\+    - --feature-gates=RemoveSelfLink=false,DynamicAuditing=true$/m);
});

test('the Kubernetes version decides which modes are allowed', () => {
  const current = node('kube-apiserver.yaml');
  const r = run('--dry-run', '--mode', 'dynamic', '--manifest', current.manifest, '--service-ip', '10.96.12.34');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the API server is 1\.30: AuditSink exists only in 1\.13 to 1\.18; use --mode static/);
  const old = node('kube-apiserver.yaml');
  fs.writeFileSync(old.manifest, fs.readFileSync(old.manifest, 'utf8').replace('v1.30.0', 'v1.11.10'));
  const s = run('--dry-run', '--manifest', old.manifest, '--service-ip', '10.96.12.34');
  assert.equal(s.code, 1);
  assert.match(s.stderr, /1\.11: audit-policy\.yaml is audit\.k8s\.io\/v1, which needs 1\.12 or later/);
  // 1.16 takes both
  const both = node('kube-apiserver-1.16.yaml');
  assert.equal(run('--dry-run', '--manifest', both.manifest, '--service-ip', '10.96.12.34').code, 0);
});

test('a file that is not the API server manifest is refused', () => {
  const { manifest } = node('kube-apiserver.yaml');
  fs.writeFileSync(manifest, 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - etcd\n');
  const r = run('--dry-run', '--manifest', manifest, '--service-ip', '10.96.12.34');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no '- kube-apiserver' command line/);
  const missing = run('--dry-run', '--manifest', '/nonexistent/kube-apiserver.yaml', '--service-ip', '10.96.12.34');
  assert.match(missing.stderr, /cannot read \/nonexistent\/kube-apiserver\.yaml/);
});
