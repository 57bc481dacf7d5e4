// Property-based tests of the audit body decoder: any text gets an answer
// (a batch or an error), never an exception; every element of a list is
// accounted for exactly once; and the size check agrees with the size of
// each event's own JSON text, however the body is spaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAuditBody } from '../../src/server/auditBody';
import { auditEventProblem } from '../../src/sources/k8s_audit/payload';
import { fuzzParams } from '../fuzzRuns';

const event = fc.record(
  {
    kind: fc.oneof(fc.constant('Event'), fc.constant('Pod'), fc.constant(undefined)),
    apiVersion: fc.constantFrom('audit.k8s.io/v1', 'v1'),
    auditID: fc.string({ maxLength: 8 }),
    verb: fc.constantFrom('get', 'create', 'delete'),
    user: fc.record({ username: fc.string({ maxLength: 20 }) }),
    annotations: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 60 }), { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);
const element = fc.oneof({ weight: 4, arbitrary: event }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

test('fuzz: every list element is an event, a rejection or a size drop, and drops are exactly the events over the size', () => {
  fc.assert(
    fc.property(fc.array(element, { maxLength: 12 }), fc.integer({ min: 2, max: 400 }), fc.constantFrom(0, 1, 2), fc.boolean(), (items, max, indent, asList) => {
      const body = JSON.stringify(asList ? { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items } : items, null, indent);
      const r = decodeAuditBody(body, max);
      assert.ok('batch' in r, `an error for a well-formed list: ${'error' in r ? r.error : ''}`);
      const b = r.batch;
      assert.equal(b.events.length + b.rejected + b.dropped, items.length);
      // compact, an element's text in the body is its own JSON.stringify
      const over = (x: unknown) => Buffer.byteLength(JSON.stringify(x) ?? '', 'utf8') > max;
      if (indent === 0) assert.equal(b.dropped, items.filter(over).length);
      for (const e of b.events) assert.equal(auditEventProblem(e), undefined);
      assert.ok(b.reasons.length <= Math.min(5, b.rejected));
    }),
    fuzzParams(),
  );
});

test('fuzz: arbitrary and mutated bodies get a batch or an error, never an exception', () => {
  const mutated = fc
    .tuple(
      fc.array(element, { maxLength: 6 }).map((items) => JSON.stringify({ kind: 'EventList', items })),
      fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\u0000', '\ud800', 'é')), { minLength: 1, maxLength: 4 }),
    )
    .map(([text, edits]) => {
      let t = text;
      for (const [at, del, ins] of edits) {
        const i = at % (t.length + 1);
        t = t.slice(0, i) + ins + t.slice(i + del);
      }
      return t;
    });
  fc.assert(
    fc.property(fc.oneof(mutated, fc.string({ maxLength: 100 }), fc.json()), fc.integer({ min: 1, max: 300 }), (text, max) => {
      const r = decodeAuditBody(text, max);
      assert.ok(('batch' in r) !== ('error' in r));
      if ('error' in r) assert.equal(typeof r.error, 'string');
    }),
    fuzzParams(),
  );
});
