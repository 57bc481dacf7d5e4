// Property-based tests of the rules loader: any YAML text, and any items
// shaped like rules, macros and lists with arbitrary values, load or report
// errors at a place in the file; the loader never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { RulesError } from '../../../src/engine/errors';
import { engineFor } from './engineFor';
import { fuzzParams } from '../../fuzzRuns';

const name = fc.constantFrom('a', 'b', 'c', 'm', 'l', 'shell_procs', 'R 1');
const conditionText = fc.oneof(
  fc.constantFrom('evt.type = open', 'proc.name in (l)', 'm and not m', 'a', 'proc.name = x or b', '(', 'evt.type in (open, openat) and fd.name startswith /etc'),
  fc.string({ maxLength: 40 }),
);
const anyValue = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }));
const item = fc.oneof(
  fc.record(
    {
      rule: name,
      desc: fc.oneof(fc.string({ maxLength: 10 }), anyValue),
      condition: fc.oneof(conditionText, anyValue),
      output: fc.oneof(fc.constantFrom('x %proc.name', '%', '%nosuch', 'ok'), anyValue),
      priority: fc.oneof(fc.constantFrom('WARNING', 'critical', 'nope'), anyValue),
      enabled: fc.oneof(fc.boolean(), anyValue),
      append: fc.boolean(),
      override: fc.oneof(fc.constant({ condition: 'append' }), fc.constant({ condition: 'replace' }), anyValue),
      source: fc.oneof(fc.constantFrom('syscall', 'test', 'nosuch'), anyValue),
      tags: fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), anyValue),
      exceptions: fc.oneof(
        fc.constant([{ name: 'e', fields: ['proc.name'], values: [['a']] }]),
        fc.constant([{ name: 'e', fields: 'proc.name', comps: 'in', values: ['a', 'b'] }]),
        anyValue,
      ),
    },
    { requiredKeys: ['rule'] },
  ),
  fc.record({ macro: name, condition: fc.oneof(conditionText, anyValue), append: fc.boolean() }, { requiredKeys: ['macro'] }),
  fc.record({ list: name, items: fc.oneof(fc.array(fc.oneof(name, fc.string({ maxLength: 6 })), { maxLength: 6 }), anyValue), append: fc.boolean() }, { requiredKeys: ['list'] }),
  fc.record({ required_engine_version: fc.oneof(fc.constantFrom('0.1.0', '999', 'x'), anyValue) }),
  fc.dictionary(fc.string({ maxLength: 6 }), anyValue, { maxKeys: 3 }),
  anyValue,
);

/** Loads `text`; checks nothing escaped and every error and warning is a RulesError placed inside the file. */
function loadsCleanlyOrReports(text: string): void {
  const { result } = engineFor(text);
  const lines = text.split('\n').length;
  for (const e of [...result.errors, ...result.warnings]) {
    assert.ok(e instanceof RulesError);
    if (e.location) {
      assert.equal(e.location.file, 'rules1.yaml');
      assert.ok(e.location.line >= 1 && e.location.line <= lines, `line ${e.location.line} in a file of ${lines} lines: ${e.format()}`);
      assert.ok(e.location.col >= 1);
    }
    assert.equal(typeof e.format(), 'string');
  }
}

test('fuzz: items shaped like rules, macros and lists with arbitrary values load or report errors in place', () => {
  fc.assert(
    fc.property(fc.array(item, { maxLength: 8 }), (items) => loadsCleanlyOrReports(stringify(items))),
    fuzzParams(1000),
  );
});

test('fuzz: arbitrary and mutated YAML text loads or reports errors in place', () => {
  const mutated = fc
    .tuple(
      fc.array(item, { minLength: 1, maxLength: 4 }).map((items) => stringify(items)),
      fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.constantFrom(':', '-', ' ', '\n', '[', '{', '"', "'", '&a', '*a', '!!binary', '\t', '#', '%')), { minLength: 1, maxLength: 4 }),
    )
    .map(([text, edits]) => {
      let t = text;
      for (const [at, del, ins] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ins + t.slice(i + del);
      }
      return t;
    });
  fc.assert(fc.property(fc.oneof(mutated, fc.string({ maxLength: 200 })), loadsCleanlyOrReports), fuzzParams(1000));
});
