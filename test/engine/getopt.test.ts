import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptstring, scanOptions } from '../../src/engine/getopt';

const scan = (argv: string[], optstring: string, selector?: string) => scanOptions(argv, parseOptstring(optstring), selector);

test('optstring: option characters, a following ":" for a value; leading ":" and a doubled ":" ignored', () => {
  const s = parseOptstring(':ab:c::@');
  assert.deepEqual([...s.valid], ['a', 'b', 'c', '@']);
  assert.deepEqual([...s.withValue], ['b', 'c']);
  assert.deepEqual([...parseOptstring('').valid], []);
});

test('the option list: options in order, each value after its option, "?" for unknown ones, "" for a missing value', () => {
  const cases: [string[], string, string[]][] = [
    [['-n', ''], 'n', ['n']],
    [['-t', 'hello'], 't:', ['t', 'hello']],
    [['-nt', 'hello'], 'nt:', ['n', 't', 'hello']],
    [['-thello'], 't:', ['t', 'hello']],
    [['-n', '-t', 'hello'], 'nt:', ['n', 't', 'hello']],
    [['-n', '--', '-t'], 'nt:', ['n']],
    [['-x', '-n'], 'n', ['?', 'n']],
    [['-nx'], 'n', ['n', '?']],
    [['-lpe', '/bin/sh'], 'lp:e:', ['l', 'p', 'e']],
    [['-lpe', '/bin/sh'], 'lpe:', ['l', 'p', 'e', '/bin/sh']],
    [['-t', '-123'], 't:', ['t', '-123']],
    [['-t'], 't:', ['']],
    [['-t'], ':t:', ['']],
    [['-n', '-t'], '', ['?', '?']],
    [[''], 'n', []],
    [['arg1', '-n'], 'n', []],
    [['-', '-n'], 'n', []],
    [['--', '-n'], 'n', []],
    [['--exec'], 'e:', []],
    [['--exec', '-n'], 'n', ['n']],
    [['-n', 'file', '-t'], 'nt', ['n']],
    [['-@', '-+'], '@+', ['@', '+']],
    [['-t', ''], 't:', ['t', '']],
    [['-p', '22', '-i', 'key', 'user@host'], 'p:i:', ['p', '22', 'i', 'key']],
    [['-t', 'v1', '-t', 'v2'], 't:', ['t', 'v1', 't', 'v2']],
    [['-:'], 'n', ['?']],
  ];
  for (const [argv, optstring, want] of cases) assert.deepEqual(scan(argv, optstring), want, `${JSON.stringify(argv)} ${optstring}`);
});

test('[c]: the last value of option c (the option itself when it takes none), undefined when absent', () => {
  assert.equal(scan(['-n', '-t', 'hello'], 'nt:', 't'), 'hello');
  assert.equal(scan(['-n', '-t', 'hello'], 'nt:', 'n'), 'n');
  assert.equal(scan(['-t', 'v1', '-t', 'v2'], 't:', 't'), 'v2');
  assert.equal(scan(['-t?'], 't:', 't'), '?');
  assert.equal(scan(['-t:'], ':t:', 't'), ':');
  assert.equal(scan(['-t'], 't:', 't'), '');
  assert.equal(scan(['-t', 'v1', '-t'], 't:', 't'), '');
  assert.equal(scan(['-n'], 'nt:', 't'), undefined);
  assert.equal(scan(['-x'], 'n', 'x'), undefined);
});
