// The regex operator: RE2 as libs compiles it (RE2::POSIX, full match),
// refusals at load time with the rule's position, and matching through the
// compiled condition (closures and generated code alike).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine';
import { RE2JS } from 're2js';
import { regexMatcher, requiredLiteral } from '../../src/engine/regexMatcher';
import { testSource } from './testSource';

test('full match of the whole value, POSIX egrep syntax', () => {
  const cases: [string, string, boolean][] = [
    ['/usr/bin/python[0-9.]*', '/usr/bin/python3.11', true],
    ['/usr/bin/python[0-9.]*', 'x/usr/bin/python3', false],
    ['python', '/usr/bin/python3', false],
    ['.*python.*', '/usr/bin/python3', true],
    ['[[:digit:]]+', '12345', true],
    ['[[:digit:]]+', '12a45', false],
    ['(a|b)+c{2,3}', 'ababcc', true],
    ['a.c', 'a\nc', false],
    ['[]a]+', ']a]', true],
    ['x$', 'x', true],
    // ^ and $ also match at line breaks, as with RE2::POSIX's multi-line default
    ['a$\nb', 'a\nb', true],
    ['', '', true],
  ];
  for (const [p, v, want] of cases) assert.equal(regexMatcher(p).test(v), want, `${p} on ${JSON.stringify(v)}`);
});

test('patterns libs refuses are refused, with where and why', () => {
  for (const [p, why] of [
    ['\\d+', /Perl class/],
    ['[\\w]+', /Perl class/],
    ['a\\b', /Perl syntax/],
    ['(?i)abc', /\(\?\.\.\.\) groups/],
    ['(?:ab)+', /\(\?\.\.\.\) groups/],
    ['a+?', /non-greedy/],
    ['(a', /invalid regex pattern: .*missing/],
    ['a)', /invalid regex pattern/],
    ['(a)\\1', /invalid regex pattern/],
  ] as [string, RegExp][]) {
    assert.throws(() => regexMatcher(p), why, p);
  }
  assert.throws(() => regexMatcher('ab\\d'), /at offset 2/);
});

test('a crafted pattern on a 1 MB value answers (the automaton does not backtrack)', () => {
  const big = 'a'.repeat(1 << 20) + '!';
  assert.equal(regexMatcher('(a+)+$').test(big), false);
  assert.equal(regexMatcher('(a|aa)+').test(big), false);
  assert.equal(regexMatcher('(a|aa)+!').test(big), true);
});

const rule = (cond: string) => `- rule: R\n  desc: d\n  condition: ${cond}\n  output: "%proc.name"\n  priority: WARNING\n  source: test\n`;

test('regex in rules: compiled once, matched per event; a bad pattern is a load error at the pattern', () => {
  const engine = new Engine([testSource]);
  const res = engine.loadRulesContent([{ name: 'r.yaml', content: rule("evt.type = open and proc.name regex 'ba(sh|zsh)'") }]);
  assert.deepEqual(res.errors.map((e) => e.format()), []);
  const r = engine.rules[0];
  assert.equal(r.evaluate({ type: 'open', name: 'bash' }), true);
  assert.equal(r.evaluate({ type: 'open', name: 'dash' }), false);
  assert.equal(r.evaluate({ type: 'open' }), false, 'no value: no match');
  const bad = new Engine([testSource]).loadRulesContent([{ name: 'r.yaml', content: rule('evt.type = open and proc.name regex "\\\\d+"') }]);
  assert.equal(bad.errors.length, 1);
  assert.match(bad.errors[0].format(), /^r\.yaml:3:50: rule 'R': invalid regex pattern at offset 0: \\d is a Perl class/);
  const list = new Engine([testSource]).loadRulesContent([{ name: 'r.yaml', content: rule('evt.type = open and proc.name regex (a, b)') }]);
  assert.equal(list.errors.length, 1, 'regex takes one pattern');
});

test('the required-literal prefilter never changes an answer (random patterns and values against the automaton alone)', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return (seed >>> 8) % n;
  };
  const atoms = ['a', 'b', 'c', '.', '[ab]', '[^a]', '(ab|c)', '(a)', '\\.', 'x{2}', 'b{1,2}', 'ab', '^', '$'];
  const quant = ['', '', '', '*', '+', '?', '{0,1}'];
  let checked = 0;
  let prefiltered = 0;
  for (let i = 0; i < 3000; i++) {
    let p = '';
    const n = 1 + rnd(5);
    for (let k = 0; k < n; k++) p += atoms[rnd(atoms.length)] + quant[rnd(quant.length)];
    if (rnd(8) === 0) p += '|' + atoms[rnd(atoms.length)];
    let auto: ReturnType<typeof RE2JS.compile>;
    try {
      auto = RE2JS.compile(p, RE2JS.MULTILINE);
    } catch {
      continue;
    }
    let m: ReturnType<typeof regexMatcher>;
    try {
      m = regexMatcher(p);
    } catch {
      continue; // Perl-only syntax the generator made (a??)
    }
    if (requiredLiteral(p).length >= 2) prefiltered++;
    for (let v = 0; v < 10; v++) {
      let s = '';
      const len = rnd(8);
      for (let k = 0; k < len; k++) s += 'abcx.\n'[rnd(6)];
      assert.equal(m.test(s), auto.matches(s), `${p} on ${JSON.stringify(s)}`);
      checked++;
    }
  }
  assert.ok(checked > 20000 && prefiltered > 300, `${checked} checks, ${prefiltered} patterns with a prefilter`);
});
