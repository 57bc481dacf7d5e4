import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledRule } from '../../src/engine/engine';
import type { TestEvent } from './testSource';
import { Engine } from '../../src/engine/engine';
import { loadClean, rule, syscallTestSource } from './rules/engineFor';

const RULES = [
  rule('OpenA', 'evt.type = open and proc.name = a'),
  rule('Any', 'proc.name = a', 'warn_evttypes: false'),
  rule('OpenOrClose', 'evt.type in (open, close)'),
  rule('Exec', 'evt.type = execve'),
  rule('NotOpen', 'evt.type != open and proc.name = a'),
].join('');

function collect(engine: ReturnType<typeof loadClean>, evt: TestEvent, mode: 'first' | 'all'): string[] {
  const out: string[] = [];
  engine.ruleset<TestEvent>('syscall').match(evt, mode, (r) => out.push(r.name));
  return out;
}

/** Wraps the evaluator each rule's ruleset uses to record which rules an event was tried against. */
function spy(engine: ReturnType<typeof loadClean>): string[] {
  const tried: string[] = [];
  for (const r of engine.rules as CompiledRule<TestEvent>[]) {
    const inner = r.indexedEvaluate();
    r.indexedEvaluate = () => (e) => (tried.push(r.name), inner(e));
  }
  return tried;
}

test('mode all: every matching rule, in definition order', () => {
  const engine = loadClean(RULES);
  assert.deepEqual(collect(engine, { type: 'open', name: 'a' }, 'all'), ['OpenA', 'Any', 'OpenOrClose']);
  assert.deepEqual(collect(engine, { type: 'close', name: 'a' }, 'all'), ['Any', 'OpenOrClose', 'NotOpen']);
});

test('mode first: stops at the first matching rule', () => {
  const engine = loadClean(RULES);
  assert.deepEqual(collect(engine, { type: 'open', name: 'a' }, 'first'), ['OpenA']);
  assert.deepEqual(collect(engine, { type: 'open', name: 'b' }, 'first'), ['OpenOrClose']);
});

test('an event is tried only against rules of its type and the catch-all rules', () => {
  const engine = loadClean(RULES);
  const tried = spy(engine);
  collect(engine, { type: 'execve', name: 'z' }, 'all');
  // NotOpen (evt.type != open) may match every other type, so it is tried too
  assert.deepEqual(tried, ['Any', 'Exec', 'NotOpen']);
  tried.length = 0;
  collect(engine, { type: 'read', name: 'z' }, 'all');
  assert.deepEqual(tried, ['Any', 'NotOpen']);
});

test('eventTypes: the union of the enabled rules, or all', () => {
  const engine = loadClean(RULES);
  assert.equal(engine.ruleset('syscall').eventTypes(), 'all');
  engine.enableRules({ name: 'Any' }, false);
  engine.enableRules({ name: 'NotOpen' }, false);
  assert.deepEqual([...(engine.ruleset('syscall').eventTypes() as Set<string>)].sort(), ['close', 'execve', 'open']);
});

test('disabling and re-enabling rebuilds the index', () => {
  const engine = loadClean(RULES);
  const rs = engine.ruleset<TestEvent>('syscall');
  engine.enableRules({ name: 'OpenA' }, false);
  assert.deepEqual(collect(engine, { type: 'open', name: 'a' }, 'all'), ['Any', 'OpenOrClose']);
  engine.enableRules({ name: 'OpenA' }, true);
  assert.deepEqual(collect(engine, { type: 'open', name: 'a' }, 'all'), ['OpenA', 'Any', 'OpenOrClose']);
  assert.equal(engine.ruleset('syscall'), rs);
});

test('rules loaded with enabled: false are not matched', () => {
  const engine = loadClean(rule('Off', 'evt.type = open', 'enabled: false'), rule('On', 'evt.type = open'));
  assert.deepEqual(collect(engine, { type: 'open' }, 'all'), ['On']);
});

test('a source without an event-type field puts every rule in the catch-all list', () => {
  const engine = loadClean(rule('U1', 'evt.type = open', 'source: test_untyped'), rule('U2', 'proc.name = a', 'source: test_untyped'));
  const out: string[] = [];
  engine.ruleset<TestEvent>('test_untyped').match({ type: 'open', name: 'a' }, 'all', (r) => out.push(r.name));
  assert.deepEqual(out, ['U1', 'U2']);
  assert.equal(engine.ruleset('test_untyped').eventTypes(), 'all');
  assert.equal(engine.rules[0].evttypes, 'all');
});

test('a known source with no rules gives an empty ruleset', () => {
  const engine = loadClean(rule('R', 'evt.type = open'));
  const out: string[] = [];
  engine.ruleset<TestEvent>('test').match({ type: 'open' }, 'all', (r) => out.push(r.name));
  assert.deepEqual(out, []);
  assert.deepEqual([...(engine.ruleset('test').eventTypes() as Set<string>)], []);
});

test('match uses event-type-specialized evaluators and finds exactly what evaluate finds', () => {
  const conds = [
    '(evt.type = open and proc.name = a) or (evt.type = close and proc.name = b)',
    'evt.type in (open, openat) and not evt.type = openat and proc.name = a',
    'evt.type != open and evt.type != close and proc.name = a',
    'not (evt.type in (open, close) or proc.name = b)',
    'evt.type in (open, close) and (evt.type = close or proc.name = a)',
    'proc.name = a or evt.type = execve',
  ];
  const engine = loadClean(conds.map((c, i) => rule(`R${i}`, c, 'warn_evttypes: false')).join(''));
  const rules = engine.rules as CompiledRule<TestEvent>[];
  const types = ['open', 'openat', 'close', 'execve', 'read', 'clone'];
  let hits = 0;
  for (const type of types) {
    for (const name of ['a', 'b', undefined]) {
      const evt: TestEvent = { type, name };
      const want = rules.filter((r) => r.evaluate(evt)).map((r) => r.name);
      hits += want.length;
      assert.deepEqual(collect(engine, evt, 'all'), want, `${type} ${name}`);
    }
  }
  assert.ok(hits >= 15, `only ${hits} matches`);
});

test('an event whose type is undefined is tried only against the catch-all rules', () => {
  const source = { ...syscallTestSource, eventType: (e: TestEvent) => (e.type === '' ? undefined : e.type) };
  const engine = new Engine([source]);
  const res = engine.loadRulesContent([{ name: 'r.yaml', content: RULES }]);
  assert.deepEqual(res.errors, []);
  const tried = spy(engine);
  const out: string[] = [];
  engine.ruleset<TestEvent>('syscall').match({ type: '', name: 'a' }, 'all', (r) => out.push(r.name));
  assert.deepEqual(tried, ['Any']);
  assert.deepEqual(out, ['Any']);
});
