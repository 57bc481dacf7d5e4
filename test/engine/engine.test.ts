import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine';
import { testSource, type TestEvent } from './testSource';
import { loadClean, matching, rule, syscallTestSource } from './rules/engineFor';

const FIXTURES = join(__dirname, 'fixtures');

test('a directory loads its *.yaml and *.yml files sorted by name, skipping other files', () => {
  const engine = new Engine([syscallTestSource]);
  const result = engine.loadRulesFiles([join(FIXTURES, 'rules.d')]);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    engine.rules.map((r) => r.name),
    ['Shell spawned', 'File opened'],
  );
  // 20-append.yml appended to the rule of 10-base.yaml
  assert.equal(engine.rules[0].condition, 'spawned_process and proc.name in (bash, sh) and not proc.pname in (trusted_parents)');
  assert.deepEqual(matching(engine, { type: 'execve', name: 'sh', pname: 'cron' }), ['Shell spawned']);
  assert.deepEqual(matching(engine, { type: 'execve', name: 'sh', pname: 'sshd' }), []);
  assert.deepEqual(engine.rules[0].location, { file: join(FIXTURES, 'rules.d', '10-base.yaml'), line: 7, col: 3 });
  assert.equal(engine.rules[0].output.render({ type: 'execve', name: 'sh', pname: 'cron' }), 'Shell sh (parent=cron)');
});

test('files load in the order given; errors name the real file path and line', () => {
  const engine = new Engine([syscallTestSource]);
  const broken = join(FIXTURES, 'broken.yaml');
  const result = engine.loadRulesFiles([broken, join(FIXTURES, 'rules.d', '10-base.yaml')]);
  assert.equal(result.errors.length, 1);
  // the unclosed '(' runs to the end of the condition: the error sits just past its last character
  assert.deepEqual(result.errors[0].location, { file: broken, line: 5, col: 21 });
  assert.equal(result.errors[0].lineText, '      (proc.name = x');
  assert.equal(result.errors[0].item, "rule 'Broken'");
  assert.deepEqual(
    engine.rules.map((r) => r.name),
    ['Shell spawned', 'File opened'],
  );
});

test('a missing file is an error that names it', () => {
  const engine = new Engine([syscallTestSource]);
  const result = engine.loadRulesFiles(['/no/such/rules.yaml']);
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0].message, /^cannot read rules file '\/no\/such\/rules\.yaml': ENOENT/);
});

test('enableRules by exact name, by substring and by tags; returns how many matched', () => {
  const engine = loadClean(
    rule('Write below etc', 'evt.type = open', 'tags: [filesystem, mitre_persistence]'),
    rule('Write below root', 'evt.type = open', 'tags: [filesystem]'),
    rule('Shell in container', 'evt.type = execve', 'tags: [shell]'),
  );
  const enabled = () => engine.rules.filter((r) => r.enabled).map((r) => r.name);
  assert.equal(engine.enableRules({ substring: 'Write below' }, false), 2);
  assert.deepEqual(enabled(), ['Shell in container']);
  assert.equal(engine.enableRules({ name: 'Write below' }, true), 0);
  assert.equal(engine.enableRules({ name: 'Write below root' }, true), 1);
  assert.deepEqual(enabled(), ['Write below root', 'Shell in container']);
  assert.equal(engine.enableRules({ tags: ['shell', 'mitre_persistence'] }, false), 2);
  assert.deepEqual(enabled(), ['Write below root']);
  assert.equal(engine.enableRules({ substring: 'below', tags: ['mitre_persistence'] }, true), 1);
  assert.deepEqual(enabled(), ['Write below etc', 'Write below root']);
  assert.deepEqual(matching(engine, { type: 'open' }), ['Write below etc', 'Write below root']);
  assert.throws(() => engine.enableRules({}, true), /needs a name, a substring or tags/);
});

test('keepOnlyTags disables the rules having none of the tags and does not enable disabled ones', () => {
  const engine = loadClean(
    rule('A', 'evt.type = open', 'tags: [x]'),
    rule('B', 'evt.type = open', 'tags: [y]'),
    rule('C', 'evt.type = open'),
    rule('D', 'evt.type = open', 'tags: [y, z]', 'enabled: false'),
  );
  engine.keepOnlyTags(['y', 'q']);
  assert.deepEqual(
    engine.rules.map((r) => [r.name, r.enabled]),
    [
      ['A', false],
      ['B', true],
      ['C', false],
      ['D', false],
    ],
  );
  assert.deepEqual(matching(engine, { type: 'open' }), ['B']);
});

test('compiled rules carry their metadata', () => {
  const engine = loadClean(rule('Meta', 'evt.type = open and proc.name = x', 'tags: [a, b]'));
  const r = engine.rules[0];
  assert.equal(r.name, 'Meta');
  assert.equal(r.desc, 'Meta');
  assert.equal(r.source, 'syscall');
  assert.equal(r.priority, 4);
  assert.deepEqual(r.tags, ['a', 'b']);
  assert.equal(r.enabled, true);
  assert.equal(r.outputFormat, 'Meta %proc.name');
  assert.equal(r.evaluate({ type: 'open', name: 'x' } as TestEvent), true);
  assert.equal(r.evaluate({ type: 'open', name: 'y' } as TestEvent), false);
  assert.deepEqual(r.output.fields({ type: 'open', name: 'x' } as TestEvent), { 'proc.name': 'x' });
});

test('ruleset of an unknown source throws; sourceNames lists the sources', () => {
  const engine = new Engine([syscallTestSource, testSource]);
  assert.deepEqual(engine.sourceNames(), ['syscall', 'test']);
  assert.throws(() => engine.ruleset('k8s_audit'), /unknown source 'k8s_audit' \(known: syscall, test\)/);
  assert.throws(() => new Engine([testSource, testSource]), /given twice/);
});

test('a second load builds on the first and does not repeat its errors', () => {
  const engine = new Engine([syscallTestSource]);
  const first = engine.loadRulesContent([{ name: 'a.yaml', content: rule('A', 'evt.type = open') + rule('Bad', 'evt.type = ((') }]);
  assert.equal(first.errors.length, 1);
  const second = engine.loadRulesContent([{ name: 'b.yaml', content: '- rule: A\n  condition: and proc.name = x\n  append: true\n' + rule('B', 'evt.type = close') }]);
  assert.deepEqual(second.errors, []);
  assert.deepEqual(
    engine.rules.map((r) => [r.name, r.condition]),
    [
      ['A', 'evt.type = open and proc.name = x'],
      ['B', 'evt.type = close'],
    ],
  );
  assert.deepEqual(matching(engine, { type: 'close' }), ['B']);
});
