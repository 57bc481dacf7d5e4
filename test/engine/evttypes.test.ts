import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from '../../src/engine/parser';
import { compileCondition } from '../../src/engine/compile';
import { UnknownEventTypeError } from '../../src/engine/evttypes';
import type { Source } from '../../src/engine/source';
import { TEST_EVENT_TYPES, testSource, untypedTestSource, type TestEvent } from './testSource';

const macros = new Map(
  Object.entries({
    open_read: 'evt.type in (open, openat, openat2) and evt.failed = false',
    spawned: 'evt.type = execve',
    not_close: 'evt.type != close',
    anything: 'proc.name exists',
  }).map(([k, v]) => [k, parseCondition(v)]),
);
const lists = new Map<string, readonly string[]>([['net_calls', ['connect', 'accept']]]);

function types(cond: string, source: Source<TestEvent> = testSource): string[] | 'all' {
  const t = compileCondition(parseCondition(cond), { source, macros, lists }).evttypes;
  return t === 'all' ? 'all' : [...t].sort();
}

const ALL_TYPES = [...TEST_EVENT_TYPES].sort();
const except = (...xs: string[]) => ALL_TYPES.filter((t) => !xs.includes(t));

test('equality and in select their types', () => {
  assert.deepEqual(types('evt.type = open'), ['open']);
  assert.deepEqual(types('evt.type == open'), ['open']);
  assert.deepEqual(types('evt.type in (open, connect)'), ['connect', 'open']);
  assert.deepEqual(types('evt.type intersects (open, connect)'), ['connect', 'open']);
  assert.deepEqual(types('evt.type in (net_calls, close)'), ['accept', 'close', 'connect']);
  assert.deepEqual(types('evt.type in net_calls'), ['accept', 'connect']);
  assert.deepEqual(types('evt.type in ()'), []);
});

test('checks on other fields, or other operators on evt.type, allow all types', () => {
  assert.equal(types('proc.name = bash'), 'all');
  assert.equal(types('evt.type startswith open'), 'all');
  assert.equal(types('evt.type exists'), 'all');
  assert.equal(types('tolower(evt.type) = open'), 'all');
  assert.equal(types('evt.type = val(proc.name)'), 'all');
  assert.equal(types('not proc.name = bash'), 'all');
});

test('!= and not take the complement within the universe', () => {
  assert.deepEqual(types('evt.type != open'), except('open'));
  assert.deepEqual(types('not evt.type = open'), except('open'));
  assert.deepEqual(types('not evt.type in (open, close)'), except('open', 'close'));
  assert.deepEqual(types('not evt.type != open'), ['open']);
  assert.deepEqual(types('not not evt.type = open'), ['open']);
});

test('and intersects, or unites', () => {
  assert.deepEqual(types('evt.type in (open, close) and evt.type in (close, read)'), ['close']);
  assert.deepEqual(types('evt.type = open and proc.name = bash'), ['open']);
  assert.deepEqual(types('evt.type = open or evt.type = close'), ['close', 'open']);
  assert.equal(types('evt.type = open or proc.name = bash'), 'all');
  assert.deepEqual(types('evt.type = open and evt.type = close'), []);
  assert.deepEqual(types('(evt.type = open or evt.type = read) and proc.name = x'), ['open', 'read']);
});

test('not over and/or pushes the negation down (De Morgan)', () => {
  // not (A and B) = not A or not B
  assert.deepEqual(types('not (evt.type = open and proc.name = x)'), 'all');
  assert.deepEqual(types('not (evt.type = open and evt.type = close)'), 'all');
  assert.deepEqual(types('not (evt.type in (open, read) and evt.type in (read, write))'), except('read'));
  // not (A or B) = not A and not B
  assert.deepEqual(types('not (evt.type = open or evt.type = close)'), except('open', 'close'));
  assert.deepEqual(types('not (evt.type = open or proc.name = x)'), except('open'));
  assert.deepEqual(types('evt.type in (open, close, read) and not (evt.type = close or proc.name = x)'), ['open', 'read']);
  assert.deepEqual(types('evt.type != open and evt.type != close'), except('open', 'close'));
  assert.deepEqual(types('evt.type != open or evt.type != close'), 'all');
  assert.deepEqual(types('not (evt.type != open or evt.type != close)'), []);
});

test('macros expand, including under not', () => {
  assert.deepEqual(types('open_read'), ['open', 'openat', 'openat2']);
  assert.deepEqual(types('open_read and proc.name = x'), ['open', 'openat', 'openat2']);
  assert.deepEqual(types('open_read or spawned'), ['execve', 'open', 'openat', 'openat2']);
  assert.deepEqual(types('not spawned'), except('execve'));
  assert.deepEqual(types('not_close and open_read'), ['open', 'openat', 'openat2']);
  assert.deepEqual(types('not not_close'), ['close']);
  assert.equal(types('anything'), 'all');
  assert.equal(types('not anything'), 'all');
  // open_read is "types and something else": its negation can be true for any type
  assert.equal(types('not open_read'), 'all');
});

test("a set covering the universe is 'all'", () => {
  assert.equal(types(`evt.type in (${TEST_EVENT_TYPES.join(', ')})`), 'all');
  assert.equal(types('evt.type = open or evt.type != open'), 'all');
  assert.equal(types(`evt.type in (${TEST_EVENT_TYPES.join(', ')}, bogus)`), 'all');
});

test('types outside the universe are kept as written', () => {
  assert.deepEqual(types('evt.type = bogus'), ['bogus']);
  assert.deepEqual(types('evt.type in (bogus, open)'), ['bogus', 'open']);
});

test("a source without an event-type field always gives 'all'", () => {
  assert.equal(types('evt.type = open', untypedTestSource), 'all');
  assert.equal(types('evt.type in (open, close) and proc.name = x', untypedTestSource), 'all');
});

test('without a known universe, complements are all', () => {
  const noUniverse: Source<TestEvent> = { ...testSource, eventTypes: undefined };
  assert.deepEqual(types('evt.type = open', noUniverse), ['open']);
  assert.equal(types('evt.type != open', noUniverse), 'all');
  assert.equal(types('not evt.type in (open)', noUniverse), 'all');
  assert.deepEqual(types('evt.type != open and evt.type in (open, close)', noUniverse), ['close', 'open']);
});

test('derived types agree with evaluation: no event of another type matches', () => {
  const conds = [
    'evt.type in (open, close) and not evt.type = close',
    'not (evt.type != read) or (evt.type = write and proc.name = x)',
    'not (evt.type = open or proc.name = x)',
    'open_read or (not_close and proc.name = y)',
  ];
  const names = ['x', 'y', 'z'];
  for (const cond of conds) {
    const c = compileCondition(parseCondition(cond), { source: testSource, macros, lists });
    for (const type of TEST_EVENT_TYPES) {
      for (const name of names) {
        for (const failed of [true, false]) {
          if (c.evaluate({ type, name, failed })) {
            assert.ok(c.evttypes === 'all' || c.evttypes.has(type), `${cond}: matched ${type} outside ${[...(c.evttypes as Set<string>)]}`);
          }
        }
      }
    }
  }
});

// A source that checks evt.type values, as the syscall source does.
const checking: Source<TestEvent> = { ...testSource, knownEventTypes: new Set([...TEST_EVENT_TYPES, 'procexit']) };

function unknownType(cond: string): { message: string; offset: number } | undefined {
  try {
    compileCondition(parseCondition(cond), { source: checking, macros, lists });
    return undefined;
  } catch (err) {
    assert.ok(err instanceof UnknownEventTypeError, String(err));
    return { message: err.message, offset: err.pos.offset };
  }
}

test('a value of evt.type the source does not know is an error at the value, whatever the operator', () => {
  assert.deepEqual(unknownType('evt.type = opne'), { message: "unknown event type 'opne'", offset: 11 });
  assert.deepEqual(unknownType('evt.type != opne'), { message: "unknown event type 'opne'", offset: 12 });
  assert.deepEqual(unknownType('evt.type in (open, opne)'), { message: "unknown event type 'opne'", offset: 19 });
  assert.deepEqual(unknownType('evt.type startswith ope'), { message: "unknown event type 'ope'", offset: 20 });
  assert.deepEqual(unknownType('proc.name = a and tolower(evt.type) = OPEN'), { message: "unknown event type 'OPEN'", offset: 38 });
  assert.deepEqual(unknownType('evt.type in (net_calls, nope_list)'), { message: "unknown event type 'nope_list'", offset: 24 });
});

test('known values, list items and other fields pass; sources without the set accept any value', () => {
  assert.equal(unknownType('evt.type in (net_calls, procexit) and proc.name = opne'), undefined);
  assert.equal(unknownType('evt.type = val(proc.name)'), undefined);
  assert.deepEqual(types('evt.type = opne'), ['opne']);
});

test('a list whose item is no event type fails at the list name', () => {
  const bad = new Map([...lists, ['typo_calls', ['connect', 'acept']]]);
  assert.throws(
    () => compileCondition(parseCondition('evt.type in (typo_calls)'), { source: checking, macros, lists: bad }),
    (err: unknown) => err instanceof UnknownEventTypeError && err.eventType === 'acept' && err.pos.offset === 13,
  );
});
