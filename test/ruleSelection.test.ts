// The `rules:` configuration key: enable/disable by rule name (glob) or tag,
// applied in order; bad entries are configuration errors naming their index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from '../src/config';
import { Engine } from '../src/engine/engine';
import { applyRuleSelection, readRuleSelection } from '../src/ruleSelection';
import { testSource } from './engine/testSource';

const rule = (name: string, tags: string) =>
  `- rule: ${name}\n  desc: d\n  condition: evt.type = open\n  output: "%proc.name"\n  priority: WARNING\n  source: test\n  tags: [${tags}]\n`;

function engine(): Engine {
  const e = new Engine([testSource]);
  const res = e.loadRulesContent([{ name: 'r.yaml', content: rule('Net A', 'network') + rule('Net B', 'network, k8s') + rule('File C', 'filesystem') }]);
  assert.deepEqual(res.errors, []);
  return e;
}

const enabled = (e: Engine) => e.rules.filter((r) => r.enabled).map((r) => r.name);

test('entries apply in order: disable everything, then enable by tag and by name', () => {
  const e = engine();
  const counts = applyRuleSelection(e, readRuleSelection([{ disable: { rule: '*' } }, { enable: { tag: 'network' } }, { disable: { rule: 'Net B' } }, { enable: { rule: 'File*' } }]));
  assert.deepEqual(counts, [3, 2, 1, 1]);
  assert.deepEqual(enabled(e), ['Net A', 'File C']);
  const again = engine();
  applyRuleSelection(again, readRuleSelection([{ disable: { tag: 'k8s' } }]));
  assert.deepEqual(enabled(again), ['Net A', 'File C']);
});

test('bad entries name their place', () => {
  for (const [v, why] of [
    [{ disable: { rule: '*' } }, /expected a sequence/],
    [[{ drop: { rule: 'x' } }], /rules\[0\]: expected exactly one of 'enable' or 'disable'/],
    [[{ enable: { rule: 'x' } }, { enable: { name: 'x' } }], /rules\[1\]\.enable\.name: unknown key/],
    [[{ enable: {} }], /rules\[0\]\.enable: expected 'rule' or 'tag'/],
    [[{ disable: { tag: 3 } }], /rules\[0\]\.disable\.tag: expected a non-empty string/],
  ] as [unknown, RegExp][]) {
    assert.throws(() => readRuleSelection(v), (e: unknown) => e instanceof ConfigError && why.test(e.message), JSON.stringify(v));
  }
  assert.deepEqual(readRuleSelection(undefined), []);
});

test('the CLI applies rules: from -o list syntax, and warns about unknown configuration keys', async () => {
  const ROOT = path.resolve(__dirname, '..');
  const OK = path.join(ROOT, 'test/cli/fixtures/ok_rules.yaml');
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const r = await run('-r', OK, '-L', '-o', 'rules[].disable.rule=*', '-o', 'rules[].enable.rule=Any Delete', '-o', 'jsn_output=true');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Any Delete\n.*enabled: true/m);
  assert.match(r.stdout, /^Admin Creates Something\n.*enabled: false/m);
  assert.match(r.stderr, /warning: configuration key 'jsn_output' is not one Vigil reads; ignored/);
  const bad = await run('-r', OK, '-L', '-o', 'rules[].drop.rule=x');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /rules\[0\]: expected exactly one of 'enable' or 'disable'/);
});
