import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, ENGINE_VERSION } from '../../../src/engine/engine';
import { testSource } from '../testSource';
import { engineFor, formatted, loadClean, matching, rule, syscallTestSource } from './engineFor';

test('an empty file and a file of only comments load with nothing', () => {
  const { engine, result } = engineFor('', '# nothing here\n');
  assert.deepEqual(result.errors, []);
  assert.equal(engine.rules.length, 0);
});

test('lists nest and flatten in definition order, also referring to later lists', () => {
  const engine = loadClean(
    '- list: all_shells\n  items: [fish, basic_shells, "zsh"]\n' + '- list: basic_shells\n  items: [bash, sh]\n',
    rule('R', 'evt.type = execve and proc.name in (all_shells)'),
  );
  assert.deepEqual(matching(engine, { type: 'execve', name: 'sh' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'execve', name: 'fish' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'execve', name: 'zsh' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'execve', name: 'basic_shells' }), []);
});

test('a list item naming no list is a literal; quoted list names in conditions are literals', () => {
  const engine = loadClean('- list: l\n  items: [a, other]\n', rule('R', `evt.type = open and proc.name in (l, "l")`));
  assert.deepEqual(matching(engine, { type: 'open', name: 'other' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'l' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'b' }), []);
});

test('list append adds items; a later definition replaces the list', () => {
  const engine = loadClean(
    '- list: l\n  items: [a]\n',
    '- list: l\n  items: [b]\n  append: true\n- list: m\n  items: [x]\n- list: m\n  items: [y]\n',
    rule('R', 'evt.type = open and proc.name in (l) and proc.pname in (m)'),
  );
  assert.deepEqual(matching(engine, { type: 'open', name: 'a', pname: 'y' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'b', pname: 'y' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'b', pname: 'x' }), []);
});

test('list override: items append and replace', () => {
  const engine = loadClean(
    '- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override:\n    items: append\n' + '- list: m\n  items: [x]\n- list: m\n  items: [y]\n  override:\n    items: replace\n',
    rule('R', 'evt.type = open and proc.name in (l) and proc.pname in (m)'),
  );
  assert.deepEqual(matching(engine, { type: 'open', name: 'a', pname: 'y' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'b', pname: 'y' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'a', pname: 'x' }), []);
});

test('list cycles are errors naming the chain, at the item that closes it', () => {
  const { result } = engineFor('- list: a\n  items: [x, b]\n- list: b\n  items: [a]\n' + rule('R', 'evt.type = open and proc.name in (a)'));
  const errs = formatted(result);
  assert.equal(errs[0], "rules1.yaml:4:11: list 'b': list cycle: a -> b -> a\n      items: [a]\n              ^");
});

test('macros use macros and lists; a macro defined later is visible', () => {
  const engine = loadClean(
    rule('R', 'opened and is_shell'),
    '- macro: is_shell\n  condition: proc.name in (shells) or shell_parent\n' +
      '- macro: shell_parent\n  condition: proc.pname = bash\n' +
      '- macro: opened\n  condition: evt.type in (open, openat)\n' +
      '- list: shells\n  items: [sh]\n',
  );
  assert.deepEqual(matching(engine, { type: 'openat', name: 'sh' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'x', pname: 'bash' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'execve', name: 'sh' }), []);
  assert.deepEqual([...engine.rules[0].evttypes].sort(), ['open', 'openat']);
});

test('macro append (old and override forms) and redefinition', () => {
  const engine = loadClean(
    '- macro: m\n  condition: evt.type = open\n- macro: n\n  condition: proc.name = a\n',
    '- macro: m\n  condition: or evt.type = close\n  append: true\n' + '- macro: n\n  condition: or proc.name = b\n  override:\n    condition: append\n' + '- macro: n\n  condition: proc.name = c\n  override:\n    condition: replace\n',
    rule('R', 'm and n'),
  );
  assert.deepEqual(matching(engine, { type: 'close', name: 'c' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'a' }), []);
});

test('macro cycles are errors naming the chain; rules using them are skipped without more errors', () => {
  const { engine, result } = engineFor('- macro: a\n  condition: b\n- macro: b\n  condition: proc.name = x or a\n' + rule('R', 'evt.type = open and a'));
  const errs = formatted(result);
  assert.equal(errs.length, 1);
  assert.equal(errs[0], "rules1.yaml:4:31: macro 'b': macro cycle: a -> b -> a\n      condition: proc.name = x or a\n                                  ^");
  assert.equal(engine.rules.length, 0);
});

test('an undefined macro is an error at its place in the condition', () => {
  const { result } = engineFor(rule('R', 'evt.type = open and nosuch'));
  assert.deepEqual(formatted(result), ["rules1.yaml:3:34: rule 'R': undefined macro 'nosuch'\n      condition: evt.type = open and nosuch\n                                     ^"]);
});

test('a syntax error in a folded condition points at its line and column in the file', () => {
  const content = ['- rule: Folded', '  desc: d', '  condition: >', '    evt.type = open', '      and (proc.name = x', '      or proc.name = y', '  output: o', '  priority: INFO', ''].join('\n');
  const { result } = engineFor(content);
  assert.equal(result.errors.length, 1);
  const e = result.errors[0];
  assert.equal(e.item, "rule 'Folded'");
  assert.deepEqual(e.location, { file: 'rules1.yaml', line: 6, col: 23 });
  assert.equal(e.lineText, '      or proc.name = y');
});

test('an error inside a macro body points into the macro, even when a rule triggers it', () => {
  const { result } = engineFor('- macro: m\n  condition: "evt.type = open and proc.nme = x"\n' + rule('R1', 'm') + rule('R2', 'm and proc.name = y'));
  assert.deepEqual(formatted(result), [`rules1.yaml:2:35: macro 'm': unknown field 'proc.nme'\n      condition: "evt.type = open and proc.nme = x"\n                                      ^`]);
});

test('an appended condition error points into the file that appended it', () => {
  const { result } = engineFor(rule('R', 'evt.type = open'), '- rule: R\n  condition: and proc.name ==== x\n  append: true\n');
  assert.equal(result.errors.length, 1);
  assert.deepEqual(result.errors[0].location, { file: 'rules2.yaml', line: 2, col: 30 });
});

test('output errors point into the output', () => {
  const { result } = engineFor(rule('R', 'evt.type = open').replace('"R %proc.name"', '"R %proc.nam here"'));
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0].location!.line, 4);
  assert.equal(result.errors[0].location!.col, 15); // the field name after '%' 
  assert.match(result.errors[0].message, /proc\.nam/);
});

test('all errors of one load are reported together, across files and kinds', () => {
  const a = ['- rule: NoPriority', '  desc: d', '  condition: evt.type = open', '  output: o', '- list: l', '  items: a', ''].join('\n');
  const b = ['- rule: BadPri', '  desc: d', '  condition: evt.type = open', '  output: o', '  priority: LOUD', '- rule: BadTags', '  desc: d', '  condition: evt.type = open', '  output: o', '  priority: info', '  tags: {a: b}', '- macro: x', '  condition: (', ''].join('\n');
  const { engine, result } = engineFor(a, b, rule('Good', 'evt.type = open'));
  assert.deepEqual(
    result.errors.map((e) => `${e.location?.file}:${e.location?.line}:${e.location?.col} ${e.item}: ${e.message}`),
    [
      "rules1.yaml:1:3 rule 'NoPriority': missing required key 'priority'",
      "rules1.yaml:6:10 list 'l': 'items' must be a sequence, not a string",
      "rules2.yaml:5:13 rule 'BadPri': invalid priority 'LOUD' (expected one of emergency, alert, critical, error, warning, notice, informational, debug)",
      "rules2.yaml:11:9 rule 'BadTags': 'tags' must be a sequence, not a mapping",
      "rules2.yaml:13:15 macro 'x': expected a condition, found end of condition",
    ].map((s) => s),
  );
  assert.deepEqual(
    engine.rules.map((r) => r.name),
    ['Good'],
  );
});

test('YAML syntax errors and a non-sequence top level are positioned errors', () => {
  const { result } = engineFor('- rule: [\n', 'rule: x\n', '- just a string\n');
  assert.equal(result.errors.length, 3);
  assert.equal(result.errors[0].location!.file, 'rules1.yaml');
  assert.match(result.errors[0].message, /^invalid YAML/);
  assert.equal(result.errors[1].format(), 'rules2.yaml:1:1: rules content must be a YAML sequence of items (rule, macro, list, ...)\n    rule: x\n    ^');
  assert.deepEqual(result.errors[2].location, { file: 'rules3.yaml', line: 1, col: 3 });
});

test('unknown keys and unknown top-level items are warnings', () => {
  const { engine, result } = engineFor(rule('R', 'evt.type = open', 'colour: blue') + '- whatever: 1\n');
  assert.deepEqual(result.errors, []);
  assert.equal(engine.rules.length, 1);
  const w = formatted(result, 'warnings');
  assert.ok(w.includes("rules1.yaml:6:3: rule 'R': unknown key 'colour'; ignored\n      colour: blue\n      ^"), w.join('\n'));
  assert.ok(w.some((s) => s.startsWith("rules1.yaml:7:3: unknown top-level item 'whatever'")));
});

test('a rule of an unknown source is skipped with a warning, and may still be appended to', () => {
  const { engine, result } = engineFor(rule('K', 'ka.verb = get', 'source: k8s_audit'), '- rule: K\n  condition: and ka.x = y\n  append: true\n');
  assert.deepEqual(result.errors, []);
  assert.equal(engine.rules.length, 0);
  assert.ok(formatted(result, 'warnings').some((w) => w.startsWith("rules1.yaml:1:3: rule 'K': unknown source 'k8s_audit'; rule skipped")));
});

test('rule source defaults to syscall; source: selects the ruleset', () => {
  const engine = loadClean(rule('A', 'evt.type = open'), rule('B', 'evt.type = open', 'source: test'));
  assert.deepEqual(
    engine.rules.map((r) => [r.name, r.source]),
    [
      ['A', 'syscall'],
      ['B', 'test'],
    ],
  );
  assert.deepEqual(matching(engine, { type: 'open' }, 'test'), ['B']);
});

test('skip-if-unknown-filter turns an unknown field into a warning and skips the rule', () => {
  const { engine, result } = engineFor(rule('S', 'evt.type = open and no.such = 1', 'skip-if-unknown-filter: true'), rule('T', 'evt.type = open', 'skip-if-unknown-filter: true'));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    engine.rules.map((r) => r.name),
    ['T'],
  );
  assert.ok(formatted(result, 'warnings').some((w) => w.startsWith("rules1.yaml:3:34: rule 'S': unknown field 'no.such'; rule 'S' skipped (skip-if-unknown-filter)")));
});

test('without skip-if-unknown-filter an unknown field is an error', () => {
  const { result } = engineFor(rule('S', 'evt.type = open and no.such = 1'));
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0].message, "unknown field 'no.such'");
});

test('warn_evttypes: a rule that matches every event type is warned about unless it opts out', () => {
  const { result } = engineFor(rule('Any', 'proc.name = x'), rule('Quiet', 'proc.name = y', 'warn_evttypes: false'), rule('Typed', 'evt.type = open'));
  const w = formatted(result, 'warnings').filter((s) => s.includes('all event types'));
  assert.equal(w.length, 1);
  assert.ok(w[0].startsWith("rules1.yaml:1:3: rule 'Any': rule matches all event types"));
});

test('no evttype warning for sources without an event-type field', () => {
  const { result } = engineFor(rule('U', 'proc.name = x', 'source: test_untyped'));
  assert.deepEqual(formatted(result, 'warnings'), []);
});

test('required_engine_version: numbers and semver accepted; newer than the engine and garbage are errors', () => {
  const { result } = engineFor('- required_engine_version: 15\n- required_engine_version: 0.31.0\n', '- required_engine_version: 99.0.0\n', '- required_engine_version: soon\n');
  assert.deepEqual(formatted(result, 'warnings'), []);
  assert.deepEqual(formatted(result, 'errors').slice(0, 1), [`rules2.yaml:1:28: required_engine_version: rules require engine version 99.0.0, but the engine version is ${ENGINE_VERSION}\n    - required_engine_version: 99.0.0\n                               ^`]);
  assert.equal(result.errors.length, 2);
  assert.equal(result.errors[1].message, "cannot parse engine version 'soon': expected a number or x.y.z");
});

test('required_plugin_versions: a plugin no source provides is a warning naming it and its alternatives', () => {
  const { result } = engineFor('- required_plugin_versions:\n  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.4.0\n');
  assert.deepEqual(result.errors, []);
  assert.equal(result.warnings.length, 1);
  assert.equal(result.warnings[0].message, "required plugin 'k8saudit' 0.7.0 is not available: no built-in source provides it nor its alternatives 'k8saudit-eks'");
  assert.deepEqual([result.warnings[0].location?.line, result.warnings[0].location?.col], [2, 5]);
});

test('required_plugin_versions: a plugin a source has built in, or an alternative of it, is satisfied with a note', () => {
  const engine = new Engine([{ ...testSource, name: 'audit', plugins: { 'k8saudit-eks': '0.12.0', json: '0.7.4' } }]);
  const result = engine.loadRulesContent([
    { name: 'p.yaml', content: '- required_plugin_versions:\n  - name: k8saudit\n    version: 0.7.0\n    alternatives:\n      - name: k8saudit-eks\n        version: 0.4.0\n  - name: json\n    version: 0.7.0\n' },
  ]);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(
    result.notes.map((n) => n.message),
    [
      "required plugin 'k8saudit' 0.7.0: satisfied by the built-in audit source, which has the fields of k8saudit-eks 0.12.0 (its alternative 'k8saudit-eks')",
      "required plugin 'json' 0.7.0: satisfied by the built-in audit source, which has the fields of json 0.7.4",
    ],
  );
});

test('unused lists and macros are warnings; use by a disabled rule does not count, use by a macro of a used macro does', () => {
  const { result } = engineFor(
    '- list: used_deep\n  items: [a]\n- list: used\n  items: [used_deep]\n- list: unused\n  items: [b]\n' +
      '- macro: inner\n  condition: proc.name in (used)\n- macro: outer\n  condition: inner\n- macro: lonely\n  condition: proc.name = z\n' +
      '- macro: only_disabled\n  condition: proc.name = q\n',
    rule('R', 'evt.type = open and outer'),
    rule('Off', 'evt.type = open and only_disabled', 'enabled: false'),
  );
  assert.deepEqual(result.errors, []);
  const w = result.warnings.map((e) => `${e.item}: ${e.message}`);
  assert.deepEqual(w.sort(), ["list 'unused': list not used by any enabled rule", "macro 'lonely': macro not used by any enabled rule", "macro 'only_disabled': macro not used by any enabled rule"]);
});

test('a redefined rule keeps its original place in the order', () => {
  const engine = loadClean(rule('A', 'evt.type = open'), rule('B', 'evt.type = open'), rule('A', 'evt.type = open and proc.name = x'));
  assert.deepEqual(
    engine.rules.map((r) => r.name),
    ['A', 'B'],
  );
  assert.equal(engine.rules[0].condition, 'evt.type = open and proc.name = x');
  assert.deepEqual(engine.rules[0].location, { file: 'rules3.yaml', line: 1, col: 3 });
});

test('a rule redefined with a different source is an error', () => {
  const { result } = engineFor(rule('A', 'evt.type = open'), rule('A', 'evt.type = open', 'source: test'));
  assert.equal(result.errors.length, 1);
  assert.match(result.errors[0].message, /different source/);
});

test('a full redefinition without source is a syscall rule: over a rule of another source it is an error, as in Falco', () => {
  const { engine, result } = engineFor(rule('A', 'evt.type = open', 'source: test'), rule('A', 'evt.type = open'));
  assert.equal(result.errors.length, 1);
  assert.equal(result.errors[0].message, "rule is redefined with a different source ('syscall', was 'test')");
  assert.equal(engine.rules[0].source, 'test', 'the first definition stays');
  // an 'enabled' entry or an append without source keeps the rule's own
  const ok = engineFor(rule('B', 'evt.type = open', 'source: test'), '- rule: B\n  enabled: false\n', '- rule: B\n  condition: and evt.type = open\n  append: true\n');
  assert.deepEqual(ok.result.errors, []);
});

test('a rule needs condition, output, desc and priority; one with only enabled: toggles an earlier rule', () => {
  const { engine, result } = engineFor(rule('A', 'evt.type = open'), '- rule: A\n  enabled: false\n- rule: Ghost\n  enabled: true\n- rule: Nothing\n  tags: [x]\n');
  assert.equal(engine.rules[0].enabled, false);
  assert.deepEqual(
    result.errors.map((e) => `${e.location!.line}: ${e.message}`),
    ["3: rule has 'enabled' but no rule by that name is defined earlier", "5: a rule needs condition, output, desc and priority (or only 'enabled' to change an earlier rule)"],
  );
});

test('wrong value types are errors at the value', () => {
  const { result } = engineFor(rule('A', 'evt.type = open', 'enabled: maybe'), rule('B', '[a, b]'));
  assert.deepEqual(
    result.errors.map((e) => `${e.location!.file}:${e.location!.line}:${e.location!.col}: ${e.message}`),
    ["rules1.yaml:6:12: 'enabled' must be true or false, not 'maybe'", "rules2.yaml:3:14: 'condition' must be a string, not a sequence"],
  );
});

test('priority is read in any case and with info for informational', () => {
  const engine = loadClean(rule('A', 'evt.type = open').replace('WARNING', 'info'), rule('B', 'evt.type = open').replace('WARNING', 'CrItIcAl'));
  assert.deepEqual(
    engine.rules.map((r) => r.priority),
    [6, 2],
  );
});

test('macros that double per level are compiled once each and refused past the expansion bound, at the macro that crosses it', () => {
  let macros = '- macro: m0\n  condition: proc.name = x\n';
  for (let i = 1; i <= 40; i++) macros += `- macro: m${i}\n  condition: (m${i - 1} and m${i - 1})\n`;
  const { result } = engineFor(macros, rule('R', 'evt.type = open and m40'));
  const errors = formatted(result);
  assert.equal(errors.length, 1, errors.join('\n'));
  // m20 is the first to stand for more than 1,000,000 checks (2^20); its line is 2 * 20 + 2
  assert.match(errors[0], /^rules1\.yaml:42:15: macro 'm20': condition expands to more than 1000000 checks/);

  // under the bound the shared bodies evaluate as written
  let small = '- macro: m0\n  condition: proc.name = x\n';
  for (let i = 1; i <= 12; i++) small += `- macro: m${i}\n  condition: (m${i - 1} and m${i - 1})\n`;
  const engine = loadClean(small, rule('R', 'evt.type = open and m12'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'x' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'y' }), []);
});

test('lists that double per level are refused past the item bound with the item that crosses it', () => {
  let lists = '- list: l0\n  items: [a]\n';
  for (let i = 1; i <= 40; i++) lists += `- list: l${i}\n  items: [l${i - 1}, l${i - 1}]\n`;
  const { result } = engineFor(lists, rule('R', 'evt.type = open and proc.name in (l40)'));
  const errors = formatted(result);
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0], /^rules1\.yaml:42:16: list 'l20': list expands to more than 1000000 items \(1048576 at this item\)/);
});

test('a list operand naming many big lists is refused past the item bound at the list name', () => {
  const items = Array.from({ length: 10_000 }, (_, i) => `v${i}`).join(', ');
  const names = Array.from({ length: 101 }, () => 'big').join(', ');
  const { result } = engineFor(`- list: big\n  items: [${items}]\n`, rule('R', `evt.type = open and proc.name in (${names})`));
  const errors = formatted(result);
  assert.equal(errors.length, 1, errors.join('\n'));
  // the 101st name, at column 14 + 'evt.type = open and proc.name in ('.length + 100 * 'big, '.length
  assert.match(errors[0], /^rules2\.yaml:3:548: rule 'R': list operand expands to more than 1000000 values \(1010000 at this item\)/);
});

test('capture and capture_duration: read, overridable, checked', () => {
  const engine = loadClean(
    rule('Cap', 'evt.type = open', 'capture: true', 'capture_duration: 10000'),
    rule('Plain', 'evt.type = open'),
    '- rule: Plain\n  capture: true\n  override:\n    capture: replace\n',
  );
  const by = new Map(engine.rules.map((r) => [r.name, r]));
  assert.deepEqual([by.get('Cap')!.capture, by.get('Cap')!.captureDurationMs], [true, 10000]);
  assert.deepEqual([by.get('Plain')!.capture, by.get('Plain')!.captureDurationMs], [true, 0]);
  const { result } = engineFor(rule('Bad', 'evt.type = open', 'capture_duration: soon'));
  assert.match(formatted(result).join('\n'), /'capture_duration' must be a whole number of milliseconds, not 'soon'/);
});

test('%container.info prints nothing with a deprecation warning at it, as Falco 0.41+; suggested fields still appended', () => {
  const source = { ...syscallTestSource, suggestedOutputFields: ['fd.name'] };
  const engine = new Engine([source], { appends: [{ suggested: true }] });
  const result = engine.loadRulesContent([{ name: 'r.yaml', content: rule('R', 'evt.type = open', 'tags: [x]').replace('"R %proc.name"', '"R %proc.name (%container.info) %container.info"') }]);
  assert.deepEqual(result.errors, []);
  assert.deepEqual(formatted(result, 'warnings'), [
    "r.yaml:4:26: rule 'R': %container.info is deprecated and prints nothing, as in Falco 0.41 and later: the container fields (container_id=%container.id container_name=%container.name ...) are appended to every syscall output (append_output suggested_output)\n      output: \"R %proc.name (%container.info) %container.info\"\n                             ^",
  ]);
  assert.equal(engine.rules[0].output.render({ type: 'open', name: 'cat', fdName: '/x' }), 'R cat () fd_name=/x');
});
