// Strict where Falco is strict: an unknown field in a condition, an output or
// an exception is an error unless the rule says skip-if-unknown-filter (then
// one warning and the rule is skipped); every macro and rule is compiled,
// used, enabled or not; a newer required_engine_version and an unmet
// required_plugin_versions entry are errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine';
import type { Source } from '../../src/engine/source';
import { testSource, type TestEvent } from './testSource';

const withPlugin: Source<TestEvent> = { ...testSource, name: 'syscall', plugins: { myplugin: '1.4.2' } };

function load(yaml: string) {
  const engine = new Engine([withPlugin]);
  const res = engine.loadRulesContent([{ name: 'r.yaml', content: yaml }]);
  const all = (l: typeof res.errors) => l.map((e) => `${e.item}: ${e.message}`);
  return { engine, res, errors: all(res.errors), warnings: all(res.warnings), notes: all(res.notes) };
}

const rule = (name: string, condition: string, extra = '', output = '%proc.name') => `
- rule: ${name}
  desc: d
  condition: ${condition}
  output: "${output}"
  priority: WARNING
${extra}`;

test('unknown fields in a condition, an output or an exception are errors at their place', () => {
  const { errors, engine } = load(
    rule('Cond', 'evt.type = open and proc.nosuch = 1') +
      rule('Out', 'evt.type = open', '', '%proc.name %proc.nosuch2') +
      rule('Exc', 'evt.type = open', '  exceptions:\n    - name: e\n      fields: [proc.nosuch3]\n      values: [[a]]') +
      rule('Good', 'evt.type = open and proc.name = cat'),
  );
  assert.deepEqual(engine.rules.map((r) => r.name), ['Good']);
  assert.deepEqual(errors, ["rule 'Cond': unknown field 'proc.nosuch'", "rule 'Out': unknown field 'proc.nosuch2'", "rule 'Exc': unknown field 'proc.nosuch3'"]);
});

test('skip-if-unknown-filter: the rule is skipped with one warning naming every unknown field', () => {
  const { errors, warnings, engine } = load(
    '- macro: m\n  condition: proc.nosuch = 1\n' +
      rule('Skipped', 'evt.type = open and m and fd.nosuch2 = x', '  skip-if-unknown-filter: true'),
  );
  assert.deepEqual(engine.rules.map((r) => r.name), []);
  assert.deepEqual(errors, []);
  // placed at the first unknown field, inside the macro
  assert.deepEqual(warnings.filter((w) => w.includes('skipped')), ["macro 'm': unknown fields 'proc.nosuch', 'fd.nosuch2'; rule 'Skipped' skipped (skip-if-unknown-filter)"]);
});

test('every macro and rule is compiled: an unused macro or a disabled rule with an error is an error; "not used" stays a warning', () => {
  const { errors, warnings } = load(
    '- macro: unused_bad\n  condition: proc.nosuch = 1\n- macro: unused_good\n  condition: proc.name = x\n' +
      rule('Disabled', 'evt.type = open and proc.nosuch2 = 1', '  enabled: false') +
      rule('Good', 'evt.type = open'),
  );
  assert.deepEqual(errors, ["rule 'Disabled': unknown field 'proc.nosuch2'", "macro 'unused_bad': unknown field 'proc.nosuch'"]);
  assert.ok(warnings.includes("macro 'unused_good': macro not used by any enabled rule"), warnings.join('\n'));
  // a macro reached only through another unused macro is checked once, through it
  const chained = load('- macro: a\n  condition: b\n- macro: b\n  condition: proc.nosuch = 1\n' + rule('Good', 'evt.type = open'));
  assert.deepEqual(chained.errors, ["macro 'b': unknown field 'proc.nosuch'"]);
});

test('an operator the language does not have is an error, reported once for a macro several rules use', () => {
  const { errors } = load('- macro: m\n  condition: proc.name frobs x\n' + rule('A', 'evt.type = open and m') + rule('B', 'evt.type = open and m'));
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^macro 'm': expected an operator after field 'proc.name', found 'frobs'/);
});

test('required_engine_version above the engine is an error', () => {
  assert.match(load('- required_engine_version: 99.0.0\n').errors.join('\n'), /required_engine_version: rules require engine version 99\.0\.0, but the engine version is/);
  assert.deepEqual(load('- required_engine_version: 0.1.0\n').errors, []);
});

test('required_plugin_versions: a built-in plugin at a version that does not satisfy it is an error', () => {
  const req = (name: string, version: string, alts = '') => `- required_plugin_versions:\n    - name: ${name}\n      version: ${version}\n${alts}`;
  assert.match(load(req('myplugin', '1.2.0')).notes.join('\n'), /satisfied by the built-in syscall source, which has the fields of myplugin 1\.4\.2/);
  assert.match(load(req('myplugin', '1.5.0')).errors.join('\n'), /required plugin 'myplugin' 1\.5\.0 is not met: the built-in syscall source has the fields of myplugin 1\.4\.2 \(needs 1\.5\.0\)/);
  // a different major version is not compatible, newer or not
  assert.equal(load(req('myplugin', '0.9.0')).errors.length, 1);
  // an alternative that is met is enough
  const alt = req('otherplugin', '3.0.0', '      alternatives:\n        - name: myplugin\n          version: 1.0.0\n');
  assert.deepEqual(load(alt).errors, []);
  // a plugin no source stands for is a warning: its rules fail on their own
  assert.match(load(req('otherplugin', '3.0.0')).warnings.join('\n'), /required plugin 'otherplugin' 3\.0\.0 is not available/);
});
