// An engine built from another's collectedForm (what an audit evaluation
// worker gets) has the same rules of the sources sent, matching the same
// events, and its errors name the same file:line:col, through appends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../../src/engine/engine';
import { testSource } from '../testSource';
import { formatted, matching, syscallTestSource } from './engineFor';

const base = `
- list: shells
  items: [bash, sh]
- macro: spawned_shell
  condition: proc.name in (shells)
- rule: Shell in test
  desc: d
  condition: evt.type = execve and spawned_shell
  output: shell %proc.name
  priority: WARNING
  source: test
  exceptions:
    - name: trusted_parent
      fields: [proc.pname]
      values: [[cron]]
- rule: Syscall rule
  desc: d
  condition: evt.type = open and proc.name = cat
  output: open
  priority: NOTICE
`;

const appended = `
- rule: Shell in test
  condition: and not proc.cmdline contains "-c true"
  override:
    condition: append
`;

function engines(...contents: string[]): { a: Engine; b: Engine; aErrors: string[]; bErrors: string[] } {
  const a = new Engine([syscallTestSource, testSource]);
  const aRes = a.loadRulesContent(contents.map((content, i) => ({ name: `rules${i + 1}.yaml`, content })));
  const b = new Engine([testSource]);
  const bRes = b.loadCollected(structuredClone(a.collectedForm(['test'])));
  return { a, b, aErrors: formatted(aRes), bErrors: formatted(bRes) };
}

test('the rules of the sources sent, built again from the form, match the same events', () => {
  const { a, b, aErrors, bErrors } = engines(base, appended);
  assert.deepEqual(aErrors, []);
  assert.deepEqual(bErrors, []);
  assert.deepEqual(b.rules.map((r) => `${r.source}:${r.name}`), ['test:Shell in test']);
  const events = [
    { type: 'execve', name: 'bash', pname: 'sshd', cmdline: 'bash' },
    { type: 'execve', name: 'bash', pname: 'cron', cmdline: 'bash' },
    { type: 'execve', name: 'sh', pname: 'sshd', cmdline: 'sh -c true' },
    { type: 'execve', name: 'python', pname: 'sshd', cmdline: 'python' },
  ];
  const want = events.map((e) => matching(a, e, 'test'));
  assert.deepEqual(want, [['Shell in test'], [], [], []]);
  assert.deepEqual(events.map((e) => matching(b, e, 'test')), want);
});

test('an error in an appended condition is reported at the same file:line:col by the engine built from the form', () => {
  const bad = appended.replace('proc.cmdline', 'proc.nosuchfield');
  const { aErrors, bErrors } = engines(base, bad);
  assert.equal(aErrors.length, 1);
  assert.match(aErrors[0], /rules2\.yaml:3:\d+: .*proc\.nosuchfield/);
  assert.deepEqual(bErrors, aErrors);
});

test('an engine that loaded nothing gives an empty form, which builds no rules', () => {
  const b = new Engine([testSource]);
  assert.deepEqual(formatted(b.loadCollected(new Engine([testSource]).collectedForm(['test']))), []);
  assert.deepEqual(b.rules, []);
});
