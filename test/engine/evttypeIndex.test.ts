import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EvttypeIndex } from '../../src/engine/evttypeIndex';

const r = (name: string, types: string[] | 'all') => ({ name, evttypes: types === 'all' ? ('all' as const) : new Set(types) });
const names = (rules: readonly { name: string }[]) => rules.map((x) => x.name);

test('each type gets its rules merged with the catch-all rules, in definition order', () => {
  const idx = new EvttypeIndex<ReturnType<typeof r>>();
  idx.build([r('a', ['open']), r('any1', 'all'), r('b', ['open', 'close']), r('c', ['close']), r('any2', 'all')]);
  assert.deepEqual(names(idx.rulesFor('open')), ['a', 'any1', 'b', 'any2']);
  assert.deepEqual(names(idx.rulesFor('close')), ['any1', 'b', 'c', 'any2']);
  assert.deepEqual(names(idx.rulesFor('execve')), ['any1', 'any2']);
  assert.equal(idx.eventTypes(), 'all');
  // the types with their own array, even when catch-all rules make eventTypes 'all'
  assert.deepEqual([...idx.indexedTypes()].sort(), ['close', 'open']);
});

test('without catch-all rules, eventTypes is the union and other types meet no rule', () => {
  const idx = new EvttypeIndex<ReturnType<typeof r>>();
  idx.build([r('a', ['open']), r('b', ['connect', 'open'])]);
  assert.deepEqual([...(idx.eventTypes() as Set<string>)].sort(), ['connect', 'open']);
  assert.deepEqual(names(idx.rulesFor('close')), []);
  assert.deepEqual(names(idx.rulesFor('connect')), ['b']);
});

test('lookups return the same prebuilt array (nothing built per event), and rebuild replaces it', () => {
  const idx = new EvttypeIndex<ReturnType<typeof r>>();
  idx.build([r('a', ['open'])]);
  const first = idx.rulesFor('open');
  assert.equal(idx.rulesFor('open'), first);
  idx.build([r('z', ['open'])]);
  assert.deepEqual(names(idx.rulesFor('open')), ['z']);
  idx.build([]);
  assert.deepEqual([...(idx.eventTypes() as Set<string>)], []);
});
