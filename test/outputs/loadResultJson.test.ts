import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RulesError } from '../../src/engine/errors';
import { loadResultJson } from '../../src/outputs/loadResultJson';

test("warnings get Falco's codes and descriptions, deprecated items included", () => {
  const at = { file: 'r.yaml', line: 4, col: 23 };
  const warnings = [
    new RulesError('%container.info is deprecated and prints nothing', at, "rule 'R'", '  output: "R (%container.info)"'),
    new RulesError('macro not used by any enabled rule', at, "macro 'm'", '- macro: m'),
  ];
  const json = loadResultJson({ name: 'r.yaml', content: undefined, errors: [], warnings }) as { successful: boolean; warnings: { code: string; codedesc: string }[] };
  assert.equal(json.successful, true);
  assert.deepEqual(
    json.warnings.map((w) => [w.code, w.codedesc]),
    [
      ['LOAD_DEPRECATED_ITEM', 'A deprecated item is employed by lists, macros, or rules.'],
      ['LOAD_UNUSED_MACRO', 'A macro is defined in the rules content but is not used by any other macro or rule.'],
    ],
  );
});
