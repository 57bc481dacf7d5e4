// Loading rules written for Falco's fuller field set: with a source marked
// partialFalcoFields, a rule using a field or operator Vigil lacks is skipped
// with one warning naming all of them; elsewhere the same is an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../../src/engine/engine';
import type { Source } from '../../../../src/engine/source';
import { testSource, type TestEvent } from '../../../engine/testSource';

const partial: Source<TestEvent> = { ...testSource, name: 'partial', partialFalcoFields: true };
const strict: Source<TestEvent> = { ...testSource, name: 'strict' };

function load(source: string, yaml: string): ReturnType<Engine['loadRulesContent']> & { engine: Engine } {
  const engine = new Engine([partial, strict]);
  const res = engine.loadRulesContent([{ name: 'r.yaml', content: yaml.replace(/SRC/g, source) }]);
  return { ...res, engine };
}

const RULES = `
- macro: m_bad_field
  condition: proc.is_exe_from_memfd = true
- macro: m_bad_op
  condition: proc.cmdline regex "a.*b"
- rule: Fields
  desc: d
  condition: evt.type = open and m_bad_field and fd.name_changed = true and proc.name = x
  output: "%proc.name"
  priority: WARNING
  source: SRC
- rule: Operator
  desc: d
  condition: evt.type = open and proc.name regex "X.*"
  output: "%proc.name"
  priority: WARNING
  source: SRC
- rule: Macro operator
  desc: d
  condition: evt.type = open and m_bad_op
  output: "%proc.name"
  priority: WARNING
  source: SRC
- rule: Output
  desc: d
  condition: evt.type = open
  output: "%proc.name %container.image.repository"
  priority: WARNING
  source: SRC
- rule: Good
  desc: d
  condition: evt.type = open and proc.name = cat
  output: "%proc.name"
  priority: WARNING
  source: SRC
`;

test('partial source: each unsupported rule is skipped with one warning naming what is missing', () => {
  const { errors, warnings, engine } = load('partial', RULES);
  assert.deepEqual(errors.map((e) => e.format()), []);
  assert.deepEqual(engine.rules.map((r) => r.name), ['Good']);
  const skips = warnings.filter((w) => w.message.includes('skipped'));
  const byRule = (name: string): string[] => skips.filter((w) => w.message.includes(`rule '${name}' skipped`)).map((w) => w.message);
  assert.equal(skips.length, 4, skips.map((w) => w.format()).join('\n'));
  assert.deepEqual(byRule('Fields'), ["unknown fields 'proc.is_exe_from_memfd', 'fd.name_changed'; rule 'Fields' skipped (source 'partial' lacks them)"]);
  assert.equal(byRule('Operator').length, 1);
  assert.match(byRule('Operator')[0], /found 'regex'.*operator 'regex' is not one Vigil has/);
  assert.equal(byRule('Macro operator').length, 1);
  assert.match(byRule('Macro operator')[0], /found 'regex'.*macro 'm_bad_op' uses an operator Vigil lacks/);
  assert.deepEqual(byRule('Output'), ["unknown field 'container.image.repository'; rule 'Output' skipped (source 'partial' lacks it)"]);
  // the warning points into the file: the first missing field sits in the macro, line 3
  const fields = skips.find((w) => w.message.includes("rule 'Fields'"))!;
  assert.deepEqual(fields.location, { file: 'r.yaml', line: 3, col: 14 });
});

test('strict source: the same rules are errors, the macro with a missing operator reported once', () => {
  const { errors, engine } = load('strict', RULES + RULES.slice(RULES.indexOf('- rule: Macro operator')).replace('Macro operator', 'Macro operator 2').split('- rule: Output')[0]);
  assert.deepEqual(engine.rules.map((r) => r.name), ['Good']);
  const msgs = errors.map((e) => `${e.item}: ${e.message}`);
  assert.ok(msgs.some((m) => m.startsWith("macro 'm_bad_field': unknown field 'proc.is_exe_from_memfd'")), msgs.join('\n'));
  assert.ok(msgs.some((m) => m.startsWith("rule 'Operator': expected an operator after field 'proc.name', found 'regex'")), msgs.join('\n'));
  assert.equal(msgs.filter((m) => m.startsWith("macro 'm_bad_op': expected an operator after field 'proc.cmdline', found 'regex'")).length, 1, msgs.join('\n'));
  assert.ok(msgs.some((m) => m.startsWith("rule 'Output': unknown field 'container.image.repository'")), msgs.join('\n'));
});

test('partial source: syntax errors other than an unknown operator word stay errors', () => {
  const { errors } = load('partial', `
- rule: Broken
  desc: d
  condition: evt.type = open and (proc.name = x
  output: "%proc.name"
  priority: WARNING
  source: SRC
- rule: Symbol
  desc: d
  condition: evt.type = open and proc.name ~ x
  output: "%proc.name"
  priority: WARNING
  source: SRC
`);
  assert.equal(errors.length, 2, errors.map((e) => e.format()).join('\n'));
});
