// The syscall source's evt.type names: every name Falco accepts is known (so
// Falco's rules load), and a name that is none of them fails the rule where it
// is written, as in Falco ("unknown event type").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { BoolExpr } from '../../../src/engine/ast';
import { Engine } from '../../../src/engine/engine';
import { parseCondition } from '../../../src/engine/parser';
import { builtinSources } from '../../../src/sources';
import { EVENT_TYPE_NAMES } from '../../../src/sources/syscall/eventTable';
import { KNOWN_EVENT_TYPES } from '../../../src/sources/syscall/knownEventTypes';
import { CAPTURABLE } from '../../../src/sources/syscall/syscallTable';

const ROOT = path.resolve(__dirname, '../../..');
const RULES_FILES = [
  'rules/falco_rules.yaml',
  // the syscall rules files (k8saudit_rules.yaml is for the k8s_audit source)
  ...fs.readdirSync(path.join(ROOT, 'test/fixtures/upstream')).filter((f) => /^falco.*\.yaml$/.test(f)).map((f) => `test/fixtures/upstream/${f}`),
];

test('every event the probe sends and every syscall it can capture is a known name', () => {
  for (const name of [...EVENT_TYPE_NAMES, ...CAPTURABLE]) assert.ok(KNOWN_EVENT_TYPES.has(name), name);
  // syscalls and meta events libs knows though Vigil's probe does not send them
  for (const name of ['init_module', 'memfd_create', 'container', 'container_removed', 'switch', 'signaldeliver', 'sched_process_exit']) assert.ok(KNOWN_EVENT_TYPES.has(name), name);
  for (const name of ['opne', 'Open', '', 'open ']) assert.ok(!KNOWN_EVENT_TYPES.has(name), name);
});

/** Every value compared with evt.type in a rules file's macros and rules, list names expanded. */
function evtTypeValues(file: string): Set<string> {
  const items = parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>[];
  const lists = new Map<string, string[]>();
  for (const it of items) if (typeof it.list === 'string') lists.set(it.list, [...(lists.get(it.list) ?? []), ...((it.items as unknown[]) ?? []).map(String)]);
  const expand = (name: string, seen = new Set<string>()): string[] => {
    const l = lists.get(name);
    if (!l || seen.has(name)) return [name];
    seen.add(name);
    return l.flatMap((i) => expand(i, seen));
  };
  const out = new Set<string>();
  const walk = (n: BoolExpr): void => {
    if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
    else if (n.kind === 'not') walk(n.child);
    else if (n.kind === 'binary' && n.field.kind === 'field' && n.field.name === 'evt.type') {
      if (n.value.kind === 'literal') out.add(n.value.value);
      else if (n.value.kind === 'list') for (const i of n.value.items) for (const v of i.quoted ? [i.value] : expand(i.value)) out.add(v);
    }
  };
  for (const it of items) if (typeof it.condition === 'string') walk(parseCondition(it.condition));
  return out;
}

for (const file of RULES_FILES) {
  test(`every evt.type value in ${file} is a known event type`, () => {
    const values = evtTypeValues(file);
    assert.ok(values.size > 10, `${file}: ${values.size} evt.type values found`);
    assert.deepEqual([...values].filter((v) => !KNOWN_EVENT_TYPES.has(v)), []);
  });
}

function load(content: string): ReturnType<Engine['loadRulesContent']> & { rules: string[] } {
  const engine = new Engine(builtinSources());
  const result = engine.loadRulesContent([{ name: 'typo.yaml', content }]);
  return Object.assign(result, { rules: engine.rules.map((r) => r.name) });
}

const rule = (name: string, condition: string, ...extra: string[]): string =>
  [`- rule: ${name}`, `  desc: d`, `  condition: ${condition}`, '  output: "%proc.name"', '  priority: WARNING', ...extra, ''].join('\n');

test('a rule comparing evt.type with an unknown name fails with the rule, file, line and column of the name', () => {
  const res = load(
    rule('Eq', 'evt.type = opne') +
      rule('In', 'evt.type in (open, execve, opne) and proc.name = x') +
      rule('Ne', 'evt.type != clsoe and proc.name = x') +
      rule('Fine', 'evt.type in (open, container, init_module)'),
  );
  assert.deepEqual(
    res.errors.map((e) => e.format()),
    [
      "typo.yaml:3:25: rule 'Eq': unknown event type 'opne'\n      condition: evt.type = opne\n                            ^",
      "typo.yaml:8:41: rule 'In': unknown event type 'opne'\n      condition: evt.type in (open, execve, opne) and proc.name = x\n                                            ^",
      "typo.yaml:13:26: rule 'Ne': unknown event type 'clsoe'\n      condition: evt.type != clsoe and proc.name = x\n                             ^",
    ],
  );
  assert.deepEqual(res.rules, ['Fine']);
});

test('an unknown name inside a macro or a list is reported where it is written', () => {
  const res = load(
    ['- list: my_calls', '  items: [open, exceve]', '- macro: spawn', '  condition: evt.type = execv', ''].join('\n') +
      rule('ViaMacro', 'spawn and proc.name = x') +
      rule('ViaList', 'evt.type in (my_calls)'),
  );
  assert.deepEqual(
    res.errors.map((e) => `${e.location!.line}:${e.location!.col}: ${e.item}: ${e.message}`),
    ["4:25: macro 'spawn': unknown event type 'execv'", "12:27: rule 'ViaList': unknown event type 'exceve'"],
  );
  assert.deepEqual(res.rules, []);
});

test('with skip-if-unknown-filter: true an unknown event type skips the rule with a warning, as Falco does', () => {
  const res = load(rule('Skipped', 'evt.type = opne', '  skip-if-unknown-filter: true') + rule('Kept', 'evt.type = open'));
  assert.deepEqual(res.errors, []);
  assert.deepEqual(res.rules, ['Kept']);
  const w = res.warnings.filter((x) => x.message.includes('opne'));
  assert.deepEqual(
    w.map((x) => `${x.location!.line}:${x.location!.col}: ${x.message}`),
    ["3:25: unknown event type 'opne'; rule 'Skipped' skipped (skip-if-unknown-filter)"],
  );
});

test('an unknown name in an exception value on evt.type is an error at that YAML value', () => {
  const res = load(rule('Ex', 'evt.type in (open, close)', '  exceptions:', '    - name: no_close', '      fields: evt.type', '      values: [clsoe]'));
  assert.deepEqual(
    res.errors.map((e) => `${e.location!.line}:${e.location!.col}: ${e.item}: ${e.message}`),
    ["9:16: rule 'Ex': unknown event type 'clsoe'"],
  );
});
