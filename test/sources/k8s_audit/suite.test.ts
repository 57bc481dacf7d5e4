// Runs every case of test/k8s_audit_tests.yaml through the real CLI
// (`node dist/cli.js`, built by `npm test`'s setup step or `npx tsc -p tsconfig.json`)
// and checks the alerts it prints against the expected counts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { parsePriority } from '../../../src/engine/priority';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const SUITE = path.join(ROOT, 'test/k8s_audit_tests.yaml');
const DEFAULT_RULES = 'rules/k8s_audit_rules.yaml';

interface Case {
  rules_file: string[];
  trace_file: string;
  detect: boolean;
  detect_level?: string | string[];
  detect_counts?: Record<string, number>;
  rejected?: number;
  extra_args?: string[];
}

const cases = (YAML.parse(fs.readFileSync(SUITE, 'utf8')) as { cases: Record<string, Case> }).cases;

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function levels(c: Case): Set<number> {
  const raw = c.detect_level === undefined ? [] : Array.isArray(c.detect_level) ? c.detect_level : [c.detect_level];
  return new Set(
    raw.map((l) => {
      const p = parsePriority(l);
      if (p === undefined) throw new Error(`bad detect_level '${l}'`);
      return p;
    }),
  );
}

test('the CLI is built', () => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run \`npx tsc -p tsconfig.json\` (npm test does it)`);
});

test('every default rule has a case where it fires and one where it is loaded and must not', () => {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, DEFAULT_RULES), 'utf8')) as { rule?: string }[];
  const ruleNames = doc.filter((i) => i.rule).map((i) => i.rule as string);
  assert.ok(ruleNames.length >= 30, `only ${ruleNames.length} rules`);
  for (const name of ruleNames) {
    const fires = Object.values(cases).some((c) => (c.detect_counts?.[name] ?? 0) > 0);
    const silent = Object.values(cases).some((c) => c.rules_file.includes(DEFAULT_RULES) && !(c.detect_counts && name in c.detect_counts));
    assert.ok(fires, `no case where '${name}' fires`);
    assert.ok(silent, `no case where '${name}' must stay silent`);
  }
});

describe('k8s audit cases through the CLI', { concurrency: 4 }, () => {
  for (const [name, c] of Object.entries(cases)) {
    test(name, async () => {
      for (const f of [...c.rules_file, c.trace_file]) assert.ok(fs.existsSync(path.join(ROOT, f)), `${name}: missing ${f}`);
      const args = [...c.rules_file.flatMap((r) => ['-r', r]), '-e', c.trace_file, '-o', 'json_output=true', '-o', 'rule_matching=all', ...(c.extra_args ?? [])];
      const { code, stdout, stderr } = await runCli(args);
      const alerts = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { rule: string; priority: string; source: string; output: string });

      const rejected = c.rejected ?? 0;
      const rejectLines = stderr.split('\n').filter((l) => l.includes(`${c.trace_file}:`));
      assert.equal(rejectLines.length, rejected, `${name}: rejected inputs\n${stderr}`);
      if (rejected > 0) assert.notEqual(code, 0, `${name}: rejected input must give a non-zero exit status`);
      else assert.equal(code, 0, `${name}: exit status ${code}\n${stderr}`);

      const counts: Record<string, number> = {};
      for (const a of alerts) counts[a.rule] = (counts[a.rule] ?? 0) + 1;
      if (!c.detect) {
        assert.deepEqual(counts, {}, `${name}: expected no alerts`);
      } else {
        assert.ok(alerts.length > 0, `${name}: expected alerts`);
        assert.deepEqual(counts, c.detect_counts ?? counts, `${name}: alert counts`);
        const want = levels(c);
        for (const a of alerts) {
          assert.equal(a.source, 'k8s_audit');
          assert.ok(a.output.length > 0);
          if (want.size > 0) assert.ok(want.has(parsePriority(a.priority) ?? -1), `${name}: '${a.rule}' has priority ${a.priority}, expected ${c.detect_level}`);
        }
      }
      const detected = /Events detected: (\d+)/.exec(stdout);
      assert.ok(detected, `${name}: no summary in the output`);
      assert.equal(Number(detected[1]), alerts.length, `${name}: summary count`);
    });
  }
});
