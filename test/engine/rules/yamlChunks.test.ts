import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine/engine';
import { decodeItem } from '../../../src/engine/rules/decode';
import { RulesFile } from '../../../src/engine/rules/sourceText';
import { CHUNKED_MIN_CHARS, decodeInSlices, itemSlices } from '../../../src/engine/rules/yamlChunks';
import { readRulesYaml, type Diagnostics } from '../../../src/engine/rules/yamlReader';
import { testSource } from '../testSource';

test('itemSlices: cuts only between top-level items, and only in a plain top-level block sequence', () => {
  const text = '# head\n- a: 1\n  b: |\n    x\n\n- c: 2\n-\n  d: 3\n- e: 4\n';
  assert.deepEqual(itemSlices(text, 1), [0, text.indexOf('- c'), text.indexOf('-\n  d'), text.indexOf('- e')]);
  assert.deepEqual(itemSlices(text, 1 << 20), [0]);
  for (const whole of ['---\n- a: 1\n', 'key: v\n', '[a, b]\n', '%YAML 1.2\n---\n- a\n', '- a: "x\ny"\n', '-x: 1\n', '# only a comment\n', '\t- a: 1\n']) {
    assert.equal(itemSlices(whole, 1), undefined, JSON.stringify(whole));
  }
});

/** A rules file over the slicing threshold: every kind of item, comments, block scalars, items with errors. */
function bigRules(): string {
  const parts = ['# generated\n- required_engine_version: 0.26.0\n', '- list: shells\n  items: [bash, sh]\n', '- macro: spawned\n  condition: evt.type = execve\n'];
  for (let i = 0, size = 0; size < CHUNKED_MIN_CHARS * 1.5; i++) {
    const more = [
      `- rule: R${i}\n  desc: >\n    rule ${i}\n    folded\n  condition: spawned and proc.name in (shells) and proc.pid = ${i}\n` +
        `  output: "r${i} %proc.name"\n  priority: ${i % 7 === 0 ? 'LOUD' : 'WARNING'}\n  tags: [t${i % 3}]\n`,
      `# between ${i}\n\n`,
      i % 11 === 0 ? `- macro: m${i}\n  condition: proc.name = x${i}\n  append: maybe\n` : `- list: l${i}\n  items: [a${i}]\n`,
      i % 13 === 0 ? `- rule: R${i}\n  exceptions:\n    - name: e\n      fields: proc.name\n      values: [z]\n  append: true\n` : '',
      i % 17 === 0 ? `- rule: Incomplete${i}\n  condition: proc.name = a\n` : '',
    ];
    for (const m of more) size += m.length;
    parts.push(...more);
  }
  return parts.join('');
}

/** The items as the whole-file reader decodes them, each with its own diagnostics. */
function wholeDecoded(file: RulesFile) {
  const all: Diagnostics = { errors: [], warnings: [] };
  const out = [];
  for (const raw of readRulesYaml(file, all)) {
    const diag: Diagnostics = { errors: [], warnings: [] };
    out.push({ value: decodeItem(raw, diag), diag });
  }
  assert.deepEqual(all.errors, []);
  return out;
}

const shape = (items: { value: unknown; diag: Diagnostics }[]) =>
  JSON.stringify(items, (k, v) => (k === 'file' ? undefined : v instanceof Map ? [...v] : v && typeof v === 'object' && 'format' in v ? v.format() : v));

test('a big file decoded in slices gives the items, places and errors of the whole-file reading', () => {
  const text = bigRules();
  const file = new RulesFile('big.yaml', text);
  const sliced = decodeInSlices(file, decodeItem);
  assert.ok(sliced, 'a plain big file is sliced');
  assert.ok(itemSlices(text)!.length > 2, 'into several slices');
  const whole = wholeDecoded(file);
  assert.equal(sliced.length, whole.length);
  assert.ok(sliced.some((s) => s.diag.errors.length > 0), 'some items have errors (their positions are compared too)');
  assert.equal(shape(sliced), shape(whole));
});

test('a big file that cannot be sliced safely is read whole: aliases across items, YAML errors', () => {
  const text = bigRules();
  const withAlias = `- list: anchored\n  items: &names [a, b]\n${text}- list: aliased\n  items: *names\n`;
  assert.equal(decodeInSlices(new RulesFile('a.yaml', withAlias), decodeItem), undefined);
  const engine = new Engine([testSource]);
  engine.loadRulesContent([{ name: 'a.yaml', content: withAlias }]);
  assert.deepEqual(
    engine.definitions.lists.find((l) => l.name === 'aliased')?.items,
    ['a', 'b'],
    'the alias resolves: the file was read whole',
  );

  const cut = text.indexOf('- rule: R500\n');
  const broken = `${text.slice(0, cut)}- rule: "unterminated\n${text.slice(cut)}`;
  assert.equal(decodeInSlices(new RulesFile('b.yaml', broken), decodeItem), undefined);
  const res = new Engine([testSource]).loadRulesContent([{ name: 'b.yaml', content: broken }]);
  const line = broken.slice(0, cut).split('\n').length;
  assert.ok(
    res.errors.some((e) => e.format().startsWith(`b.yaml:${line}:`) && e.message.startsWith('invalid YAML')),
    `the YAML error is reported at its line ${line}: ${res.errors.slice(0, 3).map((e) => e.format())}`,
  );
});

test('an engine loads a sliced file to the same rules, warnings and errors as the file read whole', () => {
  // a trailing document end marker (`...` at column 0) makes the same text be read whole
  const load = (content: string) => {
    const engine = new Engine([testSource]);
    const res = engine.loadRulesContent([{ name: 'big.yaml', content }]);
    const rules = engine.rules.map((r) => [r.name, r.condition, r.outputFormat, r.priority, r.tags, r.location, r.evaluate({ type: 'execve', name: 'sh', pid: 3 })]);
    return { rules, errors: res.errors.map((e) => e.format()), warnings: res.warnings.map((e) => e.format()) };
  };
  for (const text of [bigRules(), bigRules().replace(/LOUD/g, 'ERROR').replace(/append: maybe/g, 'append: true').replace(/- rule: Incomplete.*\n.*\n/g, '')]) {
    assert.ok(itemSlices(text) && !itemSlices(`${text}...\n`));
    const sliced = load(text);
    assert.deepEqual(sliced, load(`${text}...\n`));
    assert.ok(sliced.errors.length > 0 || sliced.rules.length > 1000, 'either errors or the rules are compared');
  }
});
