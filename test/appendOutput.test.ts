import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverride, builtinDefaults, ConfigError } from '../src/config';
import { printAppend, readAppendOutput } from '../src/appendOutput';

const read = (o: string, print?: string) => {
  const warnings: string[] = [];
  return { entries: readAppendOutput(applyOverride(builtinDefaults(), o), print, (w) => warnings.push(w)), warnings };
};

test('append_output entries as Falco reads them, then -p', () => {
  const { entries, warnings } = read('append_output=[{suggested_output: true}, {match: {source: syscall, tags: [a, b], rule: R}, extra_output: "x=%evt.type", extra_fields: [{k: "%proc.name"}, proc.pid]}]', 'y');
  assert.deepEqual(entries, [
    { suggested: true },
    { source: 'syscall', tags: ['a', 'b'], rule: 'R', format: 'x=%evt.type', fields: [{ key: 'k', format: '%proc.name', raw: false }, { key: 'proc.pid', format: 'proc.pid', raw: true }] },
    { format: 'y' },
  ]);
  // both a rule and tags: Falco warns that the rule must also have the tags
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /append_output\[1\]: both a rule \(R\) and tags \(a, b\)/);
  assert.deepEqual(printAppend('pk'), { format: 'pk' });
  assert.deepEqual(printAppend('kubernetes'), { source: 'syscall', suggested: true });
});

test('bad entries are ConfigErrors naming the entry and key', () => {
  const bad = (o: string, re: RegExp) => assert.throws(() => read(o), (e: unknown) => e instanceof ConfigError && re.test(e.message), o);
  bad('append_output={a: 1}', /append_output: expected a list/);
  bad('append_output=[{extra_fields: [{a: x, b: y}]}]', /append_output\[0\]\.extra_fields\[0\]: expected a field name or a mapping of one name to a format/);
  bad('append_output=[{suggested_output: yes please}]', /append_output\[0\]\.suggested_output: expected true or false/);
  bad('append_output=[{match: {tags: a}}]', /append_output\[0\]\.match\.tags: expected a list of tags/);
  bad('append_output=[{extra: x}]', /append_output\[0\]\.extra: unknown key/);
});
