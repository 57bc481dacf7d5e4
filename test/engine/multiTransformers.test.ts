import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from '../../src/engine/parser';
import { compileCondition } from '../../src/engine/compile';
import { compileOutput } from '../../src/engine/outputFormat';
import { ConditionError } from '../../src/engine/errors';
import { testSource, type TestEvent } from './testSource';
import type { FieldDef, Source } from '../../src/engine/source';

function run(cond: string, events: Partial<TestEvent>[]): boolean[] {
  const c = compileCondition(parseCondition(cond), { source: testSource, macros: new Map(), lists: new Map() });
  return events.map((e) => c.evaluate({ type: 'open', ...e }));
}

function fails(cond: string): { message: string; col: number } {
  try {
    run(cond, []);
  } catch (err) {
    assert.ok(err instanceof ConditionError, String(err));
    return { message: err.message, col: err.pos.col };
  }
  assert.fail(`expected ${cond} to fail`);
}

const ev: Partial<TestEvent> = { name: 'cat', fdName: '/tmp/file_to_run', pid: 42, tags: ['a', 'b'], nums: [1, 2] };

test('join: a separator (literal or field) and a list of literals, fields, numbers, transformers and list fields', () => {
  assert.deepEqual(run('join("-", (fd.name, proc.name)) = /tmp/file_to_run-cat', [ev]), [true]);
  assert.deepEqual(run('join("->", ("aaa", "bbb")) = aaa->bbb', [ev]), [true]);
  assert.deepEqual(run('join("->", ("aaa")) = aaa', [ev]), [true]);
  assert.deepEqual(run('join(",", ()) = ""', [ev]), [true]);
  assert.deepEqual(run('join(",", (proc.pid, 7, 0x10)) = "42,7,0x10"', [ev]), [true]);
  assert.deepEqual(run('join(proc.name, (fd.name, fd.name)) = /tmp/file_to_runcat/tmp/file_to_run', [ev]), [true]);
  assert.deepEqual(run('join("-", (toupper(proc.name), proc.tags, proc.nums)) = CAT-a-b-1-2', [ev]), [true]);
  assert.deepEqual(run('join("+", proc.tags) = a+b', [ev, { tags: [] }]), [true, false]);
  assert.deepEqual(run('join("-", (proc.name, join(":", (proc.name, "x")))) = cat-cat:x', [ev]), [true]);
  // a missing value anywhere makes the result missing, != included
  assert.deepEqual(run('join("-", (proc.name, fd.name)) != x', [ev, { name: 'cat' }]), [true, false]);
  assert.deepEqual(run('len(join("-", (fd.name, proc.name))) = 20', [ev]), [true]);
  assert.deepEqual(run('toupper(join("-", ("a", "b"))) = A-B', [ev]), [true]);
});

test('concat: two or more strings end to end', () => {
  assert.deepEqual(run('concat(fd.name, proc.name) = /tmp/file_to_runcat', [ev]), [true]);
  assert.deepEqual(run('concat("aaa", "bbb", "ccc") = aaabbbccc', [ev]), [true]);
  assert.deepEqual(run('concat(fd.name, concat("-", toupper(proc.name))) = /tmp/file_to_run-CAT', [ev]), [true]);
  assert.deepEqual(run('concat(proc.name, "x") exists', [ev, {}]), [true, false]);
  assert.deepEqual(run('proc.name = concat("c", "at")', [ev, { name: 'dog' }]), [true, false]);
});

test('getopt: an option list from a list argument, or one option\'s value with [c]', () => {
  assert.deepEqual(run('getopt(("-n", "-t", "hello"), "nt:") intersects (t)', [ev]), [true]);
  assert.deepEqual(run('getopt(("-n", "-t", "hello"), "nt:") in (n, t, hello)', [ev]), [true]);
  assert.deepEqual(run('getopt(("-n", "--", "-t"), "nt:") intersects (t)', [ev]), [false]);
  assert.deepEqual(run('getopt(("-n", "-t", "hello"), "nt:")[t] = hello', [ev]), [true]);
  assert.deepEqual(run('getopt(("-n"), "nt:")[t] exists', [ev]), [false]);
  assert.deepEqual(run('getopt(proc.tags, "ab")[a] = a', [{ tags: ['-ab'] }, { tags: ['-b'] }]), [true, false]);
  // the optstring may come from the event
  assert.deepEqual(run('getopt(("-x", "v"), proc.name)[x] = v', [{ name: 'x:' }, { name: 'x' }]), [true, false]);
  assert.deepEqual(run('join(",", getopt(("-ab", "-c", "z"), "abc:")) = "a,b,c,z"', [ev]), [true]);
});

test('wrong arguments are load errors at the transformer', () => {
  const cases: [string, string][] = [
    ['join("-") = x', 'join(): takes 2 arguments, a separator and a list, got 1'],
    ['join("-", "a", "b") = x', 'join(): takes 2 arguments, a separator and a list, got 3'],
    ['join(proc.tags, ("a")) = x', "join(): the separator must be a single value, and 'proc.tags' is a list"],
    ['join("a", "b") = x', "join(): the second argument must be a list, e.g. (proc.name, fd.name), and 'b' is a single string"],
    ['concat("a") = x', 'concat(): takes 2 or more arguments, got 1'],
    ['concat(proc.tags, "a") = x', "concat(): every argument must be a string, and 'proc.tags' is a list"],
    ['concat(proc.pid, "a") = x', "concat(): every argument must be a string, and 'proc.pid' is a single int"],
    ['getopt(("a")) = x', 'getopt(): takes 2 arguments, the argument list and the optstring, got 1'],
    ['getopt("-n", "n") = x', "getopt(): the first argument must be a list of strings, and '-n' is a single string"],
    ['getopt(("-n"), ("n")) = x', "getopt(): the optstring must be a single string, and '(n)' is a list"],
    ['getopt(("-n"), "n")[""] = x', "getopt(): [...] selects one option character, got '[]'"],
    ['getopt(("-n"), "n")[ab] = x', "getopt(): [...] selects one option character, got '[ab]'"],
    ['tolower(proc.name, proc.name) = x', 'tolower(): takes one argument, got 2'],
    ['tolower(proc.name)[x] = x', "tolower(): takes no [argument], got '[x]'"],
    ['join("-", (proc.name))[x] = x', "join(): takes no [argument], got '[x]'"],
    ['join("-", (proc.aname)) = x', "field 'proc.aname' requires an argument, e.g. 'proc.aname[1]'"],
  ];
  for (const [cond, message] of cases) assert.equal(fails(cond).message, message, cond);
  assert.equal(fails('proc.pid = 1 and concat("a") = x').col, 18);
});

test('a field that stands for several values (proc.aname without index) is refused as an argument', () => {
  const ancestors: FieldDef<TestEvent> = { name: 'proc.anc', type: 'string', desc: 'ancestors', anyWithoutArg: true, bind: () => (e) => e.ancestors };
  const source: Source<TestEvent> = { ...testSource, fields: [...testSource.fields, ancestors] };
  const compile = (cond: string) => compileCondition(parseCondition(cond), { source, macros: new Map(), lists: new Map() });
  assert.throws(() => compile('join("-", (proc.anc)) = x'), /'proc.anc' stands for several values and cannot be a list item/);
  assert.throws(() => compile('concat(proc.anc, "x") = x'), /concat\(\): an argument must be one value or a list, and 'proc.anc' is several values/);
  assert.equal(compile('tolower(proc.anc) = a').evaluate({ type: 'open', ancestors: ['B', 'A'] }), true);
});

test('outputs: %join, %concat and %getopt as in conditions, keyed as libs prints them', () => {
  const out = compileOutput('start %join("->", (proc.name, fd.name)) %toupper(concat(proc.name, fd.name)) %getopt(("-t", "v"), "t:")[t] end', testSource);
  const e = { type: 'open', name: 'init', fdName: '/test/dir' };
  assert.equal(out.render(e), 'start init->/test/dir INIT/TEST/DIR v end');
  assert.deepEqual(out.fields(e), { 'join(->,(proc.name,fd.name))': 'init->/test/dir', 'toupper(concat(proc.name,fd.name))': 'INIT/TEST/DIR', 'getopt((-t,v),t:)[t]': 'v' });
  assert.equal(compileOutput('%join(",", (proc.name, fd.name))', testSource).render({ type: 'open', name: 'x' }), '<NA>');
});
