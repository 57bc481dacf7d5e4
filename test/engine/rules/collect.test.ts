import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineFor, loadClean, matching, rule } from './engineFor';

const lines = (...l: string[]) => l.join('\n') + '\n';

test('append: true appends to the condition with a space, from a later file', () => {
  const engine = loadClean(rule('R', 'evt.type = open and proc.name = a'), lines('- rule: R', '  condition: or proc.name = b', '  append: true'));
  assert.equal(engine.rules[0].condition, 'evt.type = open and proc.name = a or proc.name = b');
  // precedence as text: `open and a` or `b`
  assert.deepEqual(matching(engine, { type: 'close', name: 'b' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'close', name: 'a' }), []);
});

test('append: true ignores other keys with a warning', () => {
  const { engine, result } = engineFor(rule('R', 'evt.type = open'), lines('- rule: R', '  condition: and proc.name = a', '  priority: ERROR', '  append: true'));
  assert.equal(engine.rules[0].priority, 4);
  assert.ok(result.warnings.some((w) => w.message.startsWith("'priority' is ignored with 'append: true'")));
});

test('override append: condition, output, desc, tags', () => {
  const engine = loadClean(
    rule('R', 'evt.type = open', 'tags: [a, b]'),
    lines(
      '- rule: R',
      '  condition: and proc.name = x',
      '  output: (extra %proc.pname)',
      '  desc: more words',
      '  tags: [b, c]',
      '  override:',
      '    condition: append',
      '    output: append',
      '    desc: append',
      '    tags: append',
    ),
  );
  const r = engine.rules[0];
  assert.equal(r.condition, 'evt.type = open and proc.name = x');
  assert.equal(r.outputFormat, 'R %proc.name (extra %proc.pname)');
  assert.equal(r.desc, 'R more words');
  assert.deepEqual(r.tags, ['a', 'b', 'c']);
  assert.equal(r.output.render({ type: 'open', name: 'x', pname: 'y' }), 'R x (extra y)');
});

test('override replace: condition, output, priority, tags, enabled, desc', () => {
  const engine = loadClean(
    rule('R', 'evt.type = open', 'tags: [a]'),
    lines(
      '- rule: R',
      '  condition: evt.type = close',
      '  output: replaced %proc.name',
      '  priority: CRITICAL',
      '  tags: [z]',
      '  enabled: false',
      '  desc: new',
      '  override:',
      '    condition: replace',
      '    output: replace',
      '    priority: replace',
      '    tags: replace',
      '    enabled: replace',
      '    desc: replace',
    ),
  );
  const r = engine.rules[0];
  assert.equal(r.condition, 'evt.type = close');
  assert.equal(r.outputFormat, 'replaced %proc.name');
  assert.equal(r.priority, 2);
  assert.deepEqual(r.tags, ['z']);
  assert.equal(r.enabled, false);
  assert.equal(r.desc, 'new');
  assert.deepEqual([...r.evttypes], ['close']);
});

test('override mixing append and replace in one item', () => {
  const engine = loadClean(rule('R', 'evt.type = open'), lines('- rule: R', '  condition: and proc.name = x', '  priority: DEBUG', '  override:', '    condition: append', '    priority: replace'));
  assert.equal(engine.rules[0].condition, 'evt.type = open and proc.name = x');
  assert.equal(engine.rules[0].priority, 7);
});

test('override errors: bad operation, key not appendable, key missing, key without override, with append: true', () => {
  const { result } = engineFor(
    rule('R', 'evt.type = open'),
    lines('- rule: R', '  priority: DEBUG', '  override:', '    priority: append'),
    lines('- rule: R', '  condition: x', '  override:', '    condition: merge'),
    lines('- rule: R', '  condition: and proc.name = a', '  override:', '    output: append'),
    lines('- rule: R', '  condition: and proc.name = a', '  desc: x', '  override:', '    condition: append'),
    lines('- rule: R', '  condition: and proc.name = a', '  append: true', '  override:', '    condition: append'),
  );
  assert.deepEqual(
    result.errors.map((e) => `${e.location!.file}:${e.location!.line}:${e.location!.col}: ${e.message}`),
    [
      "rules2.yaml:4:5: key 'priority' cannot be appended to, use 'replace' instead",
      "rules3.yaml:4:16: invalid override operation for key 'condition': 'merge' (expected append or replace)",
      "rules4.yaml:2:14: unexpected key 'condition': no corresponding entry under 'override' is defined",
      "rules4.yaml:4:5: an append override for 'output' was specified but 'output' is not defined",
      "rules5.yaml:3:9: unexpected key 'desc': no corresponding entry under 'override' is defined",
      "rules6.yaml:3:11: keys 'override' and 'append: true' cannot be used together; use an 'append' entry under 'override'",
    ],
  );
});

test('appending or overriding something undefined is an error naming it', () => {
  const { result } = engineFor(
    lines('- rule: Nope', '  condition: and a', '  append: true'),
    lines('- rule: Nope2', '  priority: INFO', '  override:', '    priority: replace'),
    lines('- macro: nom', '  condition: or a', '  append: true'),
    lines('- list: nol', '  items: [a]', '  override:', '    items: append'),
  );
  assert.deepEqual(
    result.errors.map((e) => `${e.item}: ${e.message}`),
    [
      "rule 'Nope': rule uses 'append' but no rule by that name is defined earlier",
      "rule 'Nope2': rule has an 'override: replace' but no rule by that name is defined earlier",
      "macro 'nom': macro uses 'append' but no macro by that name is defined earlier",
      "list 'nol': list uses 'append' but no list by that name is defined earlier",
    ],
  );
});

test('an appended rule must keep the source of the rule it appends to', () => {
  const { result } = engineFor(rule('R', 'evt.type = open', 'source: test'), lines('- rule: R', '  condition: and proc.name = a', '  source: syscall', '  append: true'));
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0].message, "rule is redefined with a different source ('syscall', was 'test')");
});

test('appending within the same file works; order of later definitions is kept', () => {
  const engine = loadClean(rule('A', 'evt.type = open') + lines('- rule: A', '  condition: and proc.name = a', '  append: true') + rule('B', 'evt.type = open'));
  assert.deepEqual(
    engine.rules.map((r) => [r.name, r.condition]),
    [
      ['A', 'evt.type = open and proc.name = a'],
      ['B', 'evt.type = open'],
    ],
  );
});

test('lists of hundreds of thousands of items append and nest without exhausting the stack', async () => {
  const { Collector } = await import('../../../src/engine/rules/collect');
  const { resolveLists } = await import('../../../src/engine/rules/listResolve');
  const { RulesFile } = await import('../../../src/engine/rules/sourceText');
  const where = { file: new RulesFile('big.yaml', ''), offset: 0 };
  const n = 300_000;
  const many = Array.from({ length: n }, (_, i) => ({ text: `n${i}`, where }));
  const diag = { errors: [], warnings: [] };
  const c = new Collector(new Set(['syscall']), diag);
  c.list({ kind: 'list', name: 'big', label: "list 'big'", where, items: [{ text: 'a', where }], append: false });
  c.list({ kind: 'list', name: 'big', label: "list 'big'", where, items: many, append: true });
  c.list({ kind: 'list', name: 'outer', label: "list 'outer'", where, items: [{ text: 'big', where }, { text: 'z', where }], append: false });
  assert.equal(c.lists.get('big')!.items.length, n + 1);
  const errors: never[] = [];
  const resolved = resolveLists(c.lists, errors);
  assert.deepEqual(errors, []);
  const outer = resolved.items.get('outer')!;
  assert.equal(outer.length, n + 2);
  assert.equal(outer[0], 'a');
  assert.equal(outer[n], `n${n - 1}`);
  assert.equal(outer[n + 1], 'z');
});

test('a list item written with its own quotes means what the condition parser reads there: escapes read, bad ones an error', async () => {
  const { Collector } = await import('../../../src/engine/rules/collect');
  const { resolveLists } = await import('../../../src/engine/rules/listResolve');
  const { RulesFile } = await import('../../../src/engine/rules/sourceText');
  const where = { file: new RulesFile('q.yaml', ''), offset: 0 };
  const diag = { errors: [], warnings: [] };
  const c = new Collector(new Set(['syscall']), diag);
  // as falco_rules.yaml writes it: '"sh -c node -e \"require(''nan'')\""'
  c.list({ kind: 'list', name: 'cmds', label: "list 'cmds'", where, items: [{ text: `"sh -c node -e \\"require('nan')\\""`, where }, { text: "'a b'", where }, { text: 'plain', where }], append: false });
  c.list({ kind: 'list', name: 'bad', label: "list 'bad'", where, items: [{ text: '"x\\.y"', where }], append: false });
  const errors: { message: string }[] = [];
  const resolved = resolveLists(c.lists, errors as never[]);
  assert.deepEqual(resolved.items.get('cmds'), [`sh -c node -e "require('nan')"`, 'a b', 'plain']);
  assert.equal(resolved.items.get('bad'), undefined, 'a list with an item that does not parse does not resolve');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /list item "x\\\.y": unsupported escape \\\./);
});
