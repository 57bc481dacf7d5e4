// Bring-your-own Falco rules: Falco's published rules files (test data kept
// unmodified in test/fixtures/upstream: the stable, incubating and sandbox
// syscall rules, and the k8saudit plugin's rules) load with no error and
// every rule compiled, none skipped, through the engine and `vigil -V`.
// Vigil's own default rules load with no warning at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../../../src/engine/engine';
import { builtinSources } from '../../../../src/sources';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const UPSTREAM = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml', 'k8saudit_rules.yaml'].map((f) =>
  path.join(ROOT, 'test/fixtures/upstream', f),
);
const DEFAULTS = path.join(ROOT, 'rules/falco_rules.yaml');

function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function ruleNames(file: string): string[] {
  return [...fs.readFileSync(file, 'utf8').matchAll(/^- rule: (.+)$/gm)].map((m) => m[1].trim());
}

test('the upstream rules files are present, unmodified, with their license header', () => {
  for (const f of UPSTREAM) {
    const text = fs.readFileSync(f, 'utf8');
    assert.match(text, /^# SPDX-License-Identifier: Apache-2\.0\n/, f);
    assert.ok(ruleNames(f).length > 20, `${f} has its rules`);
  }
});

for (const [label, files] of [
  ['falco_rules.yaml', UPSTREAM.slice(0, 1)],
  ['falco-incubating_rules.yaml', UPSTREAM.slice(1, 2)],
  ['falco-sandbox_rules.yaml', UPSTREAM.slice(2, 3)],
  ['k8saudit_rules.yaml (k8saudit plugin)', UPSTREAM.slice(3, 4)],
  ['all four, in order', UPSTREAM],
] as const) {
  test(`upstream ${label}: 0 errors, every rule compiled, none skipped`, () => {
    const engine = new Engine(builtinSources());
    const res = engine.loadRulesFiles([...files]);
    assert.deepEqual(res.errors.map((e) => e.format()), []);
    const defined = new Set(files.flatMap(ruleNames));
    const compiled = new Set(engine.rules.map((r) => r.name));
    const skips = res.warnings.filter((w) => /skipped/.test(w.message));
    assert.deepEqual(skips.map((w) => w.format()), []);
    assert.deepEqual([...defined].filter((n) => !compiled.has(n)), []);
    process.stderr.write(`upstream ${label}: ${compiled.size} of ${defined.size} rules compile, 0 skipped\n`);
  });
}

test('vigil -V on the upstream files exits 0 and says Ok for each', async () => {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is built (npm test runs setup first)');
  const r = await vigil(...UPSTREAM.flatMap((f) => ['-V', f]));
  assert.equal(r.code, 0, r.stderr.split('\n').filter((l) => l.startsWith('error')).join('\n'));
  for (const f of UPSTREAM) assert.match(r.stdout, new RegExp(`^${f.replace(/[.\\/]/g, '\\$&')}: Ok`, 'm'), r.stdout);
  assert.doesNotMatch(r.stderr, /skipped|^error/m);
});

test('the default rules load with no error and no warning, and none matches every event type', () => {
  const engine = new Engine(builtinSources());
  const res = engine.loadRulesFiles([DEFAULTS]);
  assert.deepEqual(res.errors.map((e) => e.format()), []);
  assert.deepEqual(res.warnings.map((e) => e.format()), []);
  const rules = engine.rules.filter((r) => r.source === 'syscall');
  assert.ok(rules.length >= 30, `${rules.length} rules`);
  for (const r of rules) {
    assert.notEqual(r.evttypes, 'all', r.name);
    assert.match(r.outputFormat, /%proc\.aname\[2\]/, `${r.name} output shows the grandparent`);
    assert.match(r.outputFormat, /%proc\.pname/, r.name);
    assert.match(r.outputFormat, /%container\.id/, r.name);
    assert.match(r.outputFormat, /%container\.name/, r.name);
  }
  for (const name of [
    'Terminal shell in container', 'Run shell untrusted', 'Read sensitive file untrusted', 'Read sensitive file trusted after startup',
    'Write below binary dir', 'Write below etc', 'Write below root', 'Write below rpm database', 'Modify binary dirs', 'Mkdir binary dirs',
    'Create files below dev', 'Change thread namespace', 'Non sudo setuid', 'Create Symlink Over Sensitive Files',
    'Create Hardlink Over Sensitive Files', 'Clear Log Activities', 'Remove Bulk Data from Disk', 'Delete or rename shell history',
    'Netcat Remote Code Execution in Container', 'Search Private Keys or Passwords', 'Launch Suspicious Network Tool in Container',
    'Packet socket created in container', 'Linux Kernel Module Injection Detected', 'Directory traversal monitored file read',
    'Contact K8S API Server From Container', 'PTRACE attached to process', 'Fileless execution via memfd_create', 'Execution from /dev/shm',
    'Drop and execute new binary in container', 'Redirect STDOUT/STDIN to Network Connection in Container', 'Disallowed SSH Connection',
    'BPF Program Not Profiled',
  ]) {
    assert.ok(rules.some((r) => r.name === name), `default rule '${name}'`);
  }
});
