import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatPaths, cwdAfter, dirOf, PATH_TOO_LONG } from '../../../../src/sources/syscall/state/pathConcat';

// [directory, path, what libs' concatenate_paths gives]: the cases its own unit test and its code settle
const CASES: [string, string, string][] = [
  ['', '', ''],
  ['/home/u/', '', ''],
  ['/', '../', '/'],
  ['', '../', ''],
  ['', '..', ''],
  ['', './', ''],
  ['a/', '../', ''],
  ['foo/', '..//a', 'a'],
  ['/foo/', '..//a', '/a'],
  ['', '/foo', '/foo'],
  ['', 'dir/term', 'dir/term'],
  ['', './dir/term', 'dir/term'],
  ['', '//dir/term', '/dir/term'],
  ['/', '//dir//////term', '/dir/term'],
  ['/', '/app/custom/dir/././././../../term/', '/app/term'],
  ['../.../', 'dir/././././../../.../term/', '../.../term'],
  ['../.../', '/app/custom/dir/././././../../.../term/', '/app/.../term'],
  // the directory is taken as it is: not cleaned, no `/` added
  ['app/////', 'custom////term', 'app/////custom/term'],
  ['/app', 'custom/term', '/appcustom/term'],
  ['a', '../', 'a..'],
  ['heolo', 'w////////////..//////.////////r.|', 'r.|'],
  ['<UNKNOWN>', 'x/y', '<UNKNOWN>x/y'],
  // trailing slashes go, as the kernel ignores them; `/` alone stays
  ['/', '/etc/', '/etc'],
  ['/home/u/', 'sub/', '/home/u/sub'],
  ['/home/u/', './', '/home/u'],
  ['/home/u/', '.', '/home/u'],
  ['/home/u/', '..', '/home'],
  ['/', '/', '/'],
  ['/', '/..', '/'],
  ['/', '/../../etc', '/etc'],
  // names that only start or end with dots are names
  ['/w/', '.../x', '/w/.../x'],
  ['/w/', 'x./y', '/w/x./y'],
  ['/w/', '.hidden', '/w/.hidden'],
  ['/w/', '..x/y', '/w/..x/y'],
  ['/root/', '../😀', '/😀'],
];

test('concatPaths cleans and joins as libs does', () => {
  for (const [dir, p, want] of CASES) assert.equal(concatPaths(dir, p), want, `concatPaths(${JSON.stringify(dir)}, ${JSON.stringify(p)})`);
});

test('a clean absolute path comes back as the same string', () => {
  const p = '/usr/lib/x86_64-linux-gnu/libc.so.6';
  assert.equal(concatPaths('/home/u/', p), p);
});

test('directory and path past 1023 bytes together: the placeholder, counted in UTF-8 bytes', () => {
  assert.equal(concatPaths('C'.repeat(1500), 'dir/term'), PATH_TOO_LONG);
  // the directory counts even when the path is absolute
  assert.equal(concatPaths('/'.padEnd(100, 'd'), `/${'a'.repeat(923)}`), PATH_TOO_LONG);
  assert.equal(concatPaths('.', `/${'a'.repeat(1021)}`), `/${'a'.repeat(1021)}`);
  assert.equal(concatPaths('.', `/${'a'.repeat(1022)}`), PATH_TOO_LONG);
  // 341 three-byte characters are 1023 bytes: with the directory, over
  assert.equal(concatPaths('/d/', '€'.repeat(340)), `/d/${'€'.repeat(340)}`);
  assert.equal(concatPaths('/d/', '€'.repeat(341)), PATH_TOO_LONG);
});

test('dirOf and cwdAfter keep directories with their trailing slash', () => {
  assert.equal(dirOf('/etc'), '/etc/');
  assert.equal(dirOf('/'), '/');
  assert.equal(dirOf(''), '');
  assert.equal(cwdAfter('/home/u/', 'sub/'), '/home/u/sub/');
  assert.equal(cwdAfter('/home/u', 'sub'), '/home/u/sub/', 'a cwd without its slash still takes the path as a child');
  assert.equal(cwdAfter('/home/u/', '..//x./'), '/home/x./');
  assert.equal(cwdAfter('/home/u/', '/'), '/');
  assert.equal(cwdAfter('', '/root'), '/root/');
  assert.equal(cwdAfter('', ''), '/');
});
