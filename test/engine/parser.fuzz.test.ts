// Property-based tests of the condition parser and compiler: whatever the
// text, the result is a tree or a ConditionError inside the text, never
// another exception, a hang or a stack overflow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCondition } from '../../src/engine/parser';
import { compileCondition } from '../../src/engine/compile';
import { ConditionError } from '../../src/engine/errors';
import { testSource } from './testSource';
import { fuzzParams } from '../fuzzRuns';

const FIELDS = ['proc.name', 'evt.type', 'fd.name', 'proc.pid', 'proc.aname[2]', 'evt.arg.flags', 'proc.aname', 'nosuch.field'];
const OPS = ['=', '==', '!=', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'iglob', 'in', 'intersects', 'pmatch', 'bcontains'];
const NUM_OPS = ['<', '<=', '>', '>='];
const MOD_OPS = ['=', '!=', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'regex', 'bcontains'];
const scalar = fc.oneof(
  fc.stringMatching(/^[a-zA-Z0-9_./*?-]{1,12}$/),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 12 }).map((s) => `'${s.replace(/['\\]/g, '')}'`),
  fc.integer({ min: -5, max: 70000 }).map(String),
);
const number = fc.oneof(fc.integer({ min: -5, max: 70000 }).map(String), fc.integer({ min: 0, max: 65535 }).map((n) => `0x${n.toString(16)}`));
const field = fc.oneof(
  fc.constantFrom(...FIELDS),
  fc.constantFrom(...FIELDS).map((f) => `tolower(${f})`),
  fc.constantFrom(...FIELDS).map((f) => `concat(${f}, "-", proc.name)`),
  fc.tuple(fc.constantFrom(...FIELDS), scalar).map(([f, v]) => `join(${v.startsWith('"') || v.startsWith("'") ? v : '","'}, (${f}, proc.name))`),
  fc.constantFrom(...FIELDS).map((f) => `getopt((${f}, "-b", "x"), "ab:")[b]`),
);
const check = fc.oneof(
  fc.tuple(field, fc.constantFrom(...OPS), scalar).map(([f, op, v]) => `${f} ${op} ${v}`),
  fc.tuple(field, fc.constantFrom(...NUM_OPS), number).map(([f, op, v]) => `${f} ${op} ${v}`),
  fc
    .tuple(field, fc.constantFrom(...MOD_OPS), fc.constantFrom('oneof', 'anyof', 'allof'), fc.array(scalar, { maxLength: 4 }))
    .map(([f, op, m, vs]) => `${f} ${op} ${m} (${vs.join(', ')})`),
  fc.tuple(field, fc.constantFrom('in', 'intersects', 'pmatch'), fc.array(scalar, { maxLength: 5 })).map(([f, op, vs]) => `${f} ${op} (${vs.join(', ')})`),
  fc.tuple(field, fc.constantFrom('=', '!=')).map(([f, op]) => `${f} ${op} val(proc.name)`),
  field.map((f) => `${f} exists`),
);
const { condition } = fc.letrec<{ condition: string }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    check,
    fc.tuple(tie('condition'), fc.constantFrom('and', 'or'), tie('condition')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('condition').map((c) => `not ${c}`),
    tie('condition').map((c) => `(${c})`),
  ),
}));

/** Runs `fn`; passes when it returns or throws a ConditionError positioned inside `text`. */
function onlyConditionErrors(text: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    assert.ok(err.pos.offset >= 0 && err.pos.offset <= text.length, `error at ${err.pos.offset} outside a text of ${text.length}`);
    assert.ok(err.pos.line >= 1 && err.pos.col >= 1);
  }
}

test('fuzz: conditions built from the grammar parse, and compile or fail with a ConditionError', () => {
  fc.assert(
    fc.property(condition, (text) => {
      const ast = parseCondition(text);
      onlyConditionErrors(text, () => compileCondition(ast, { source: testSource, macros: new Map(), lists: new Map() }));
    }),
    fuzzParams(),
  );
});

test('fuzz: grammar conditions with characters inserted, deleted or replaced fail only with positioned ConditionErrors', () => {
  const mutated = fc
    .tuple(condition, fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('(', ')', '"', "'", '\\', ',', '[', ']', '=', ' ', 'and', 'not', ' regex ', '%', '\n', '\u0000', 'é')), { minLength: 1, maxLength: 4 }))
    .map(([text, edits]) => {
      let t = text;
      for (const [at, del, ins] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ins + t.slice(i + del);
      }
      return t;
    });
  fc.assert(
    fc.property(mutated, (text) => {
      onlyConditionErrors(text, () => {
        const ast = parseCondition(text);
        compileCondition(ast, { source: testSource, macros: new Map(), lists: new Map() });
      });
    }),
    fuzzParams(),
  );
});

test('fuzz: arbitrary text, and deep nesting, fail only with positioned ConditionErrors', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: fc.constantFrom('(', ')', 'not ', ' and ', ' or ', 'a', '"', '\\', ' ', 'proc.name', ' = ', ','), maxLength: 300 }),
    fc.integer({ min: 1, max: 5000 }).map((n) => '('.repeat(n) + 'proc.name = a' + ')'.repeat(n)),
    fc.integer({ min: 1, max: 5000 }).map((n) => 'not '.repeat(n) + 'proc.name = a'),
  );
  fc.assert(fc.property(text, (t) => onlyConditionErrors(t, () => parseCondition(t))), fuzzParams());
});
