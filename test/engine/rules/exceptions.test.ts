import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineFor, formatted, loadClean, matching, rule } from './engineFor';

const base = (...exceptions: string[]) => rule('R', 'evt.type = open', 'exceptions:', ...exceptions.map((l) => `  ${l}`));

test('single field: comps defaults to in, values form one list', () => {
  const engine = loadClean(base('- name: ok_procs', '  fields: proc.name', '  values: [cron, "my daemon"]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'cron' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'my daemon' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'bash' }), ['R']);
});

test('single field values may name lists, which expand', () => {
  const engine = loadClean('- list: trusted\n  items: [a, b]\n', base('- name: t', '  fields: proc.name', '  values: [trusted, c]'));
  for (const name of ['a', 'b', 'c']) assert.deepEqual(matching(engine, { type: 'open', name }), [], name);
  assert.deepEqual(matching(engine, { type: 'open', name: 'trusted' }), ['R']);
});

test('single field with pmatch comps', () => {
  const engine = loadClean(base('- name: dirs', '  fields: fd.name', '  comps: pmatch', '  values: [/tmp, /var/run]'));
  assert.deepEqual(matching(engine, { type: 'open', fdName: '/tmp/x' }), []);
  assert.deepEqual(matching(engine, { type: 'open', fdName: '/etc/x' }), ['R']);
});

test('multiple fields: tuples of values, comps default to =, tuples are or-ed', () => {
  const engine = loadClean(base('- name: pairs', '  fields: [proc.name, proc.pname]', '  values:', '    - [sh, sshd]', '    - [python, cron]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'sh', pname: 'sshd' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'python', pname: 'cron' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'sh', pname: 'cron' }), ['R']);
});

test('multiple fields with explicit comps, list values for in, and a list name for in', () => {
  const engine = loadClean(
    '- list: editors\n  items: [vi, nano]\n',
    base(
      '- name: mixed',
      '  fields: [proc.name, fd.name, proc.pname]',
      '  comps: [in, startswith, in]',
      '  values:',
      '    - [[cat, less], /etc/, editors]',
    ),
  );
  assert.deepEqual(matching(engine, { type: 'open', name: 'less', fdName: '/etc/passwd', pname: 'nano' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'less', fdName: '/tmp/passwd', pname: 'nano' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'less', fdName: '/etc/passwd', pname: 'emacs' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'cp', fdName: '/etc/passwd', pname: 'vi' }), ['R']);
});

test('several exceptions: any one of them excludes the event', () => {
  const engine = loadClean(base('- name: a', '  fields: proc.name', '  values: [x]', '- name: b', '  fields: [proc.pname]', '  values: [[y]]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'x' }), []);
  assert.deepEqual(matching(engine, { type: 'open', pname: 'y' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'z', pname: 'z' }), ['R']);
});

test('an exception without values excludes nothing', () => {
  const engine = loadClean(base('- name: empty', '  fields: [proc.name]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'x' }), ['R']);
});

test('the rule condition keeps its text; exceptions do not change evttypes', () => {
  const engine = loadClean(base('- name: a', '  fields: evt.type', '  values: [close]'));
  assert.equal(engine.rules[0].condition, 'evt.type = open');
  assert.deepEqual([...engine.rules[0].evttypes], ['open']);
});

test('appending exceptions: new ones are added, values of existing ones are appended', () => {
  const engine = loadClean(
    base('- name: procs', '  fields: proc.name', '  values: [a]'),
    ['- rule: R', '  exceptions:', '    - name: procs', '      values: [b]', '    - name: parents', '      fields: [proc.pname]', '      values: [[p]]', '  override:', '    exceptions: append', ''].join('\n'),
    ['- rule: R', '  exceptions:', '    - name: procs', '      values: [c]', '  append: true', ''].join('\n'),
  );
  for (const name of ['a', 'b', 'c']) assert.deepEqual(matching(engine, { type: 'open', name }), [], name);
  assert.deepEqual(matching(engine, { type: 'open', name: 'z', pname: 'p' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'z', pname: 'q' }), ['R']);
});

test('replacing exceptions drops the old ones', () => {
  const engine = loadClean(
    base('- name: procs', '  fields: proc.name', '  values: [a]'),
    ['- rule: R', '  exceptions:', '    - name: other', '      fields: proc.name', '      values: [b]', '  override:', '    exceptions: replace', ''].join('\n'),
  );
  assert.deepEqual(matching(engine, { type: 'open', name: 'a' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'b' }), []);
});

test('appending fields to an existing exception is an error; a new appended exception needs fields and values', () => {
  const { result } = engineFor(
    base('- name: procs', '  fields: proc.name', '  values: [a]'),
    ['- rule: R', '  exceptions:', '    - name: procs', '      fields: proc.pname', '      values: [b]', '    - name: fresh', '      values: [[x]]', '  append: true', ''].join('\n'),
  );
  assert.deepEqual(
    result.errors.map((e) => `${e.location!.file}:${e.location!.line}:${e.location!.col}: ${e.message}`),
    ["rules2.yaml:4:15: cannot append fields or comps to existing exception 'procs', only values", "rules2.yaml:6:7: appended exception 'fresh' is new, so it needs 'fields'"],
  );
});

test('malformed exceptions are errors at the offending YAML value, all reported', () => {
  const { engine, result } = engineFor(
    rule(
      'R',
      'evt.type = open',
      'exceptions:',
      '  - name: len',
      '    fields: [proc.name, proc.pname]',
      '    comps: [=]',
      '    values: [[a, b]]',
      '  - name: tuple',
      '    fields: [proc.name, proc.pname]',
      '    values: [[a]]',
      '  - name: single_comp',
      '    fields: proc.name',
      '    comps: =',
      '    values: [a]',
      '  - name: bad_op',
      '    fields: [proc.name]',
      '    comps: [likes]',
      '    values: [[a]]',
      '  - name: nofields',
      '    values: [a]',
    ),
  );
  assert.equal(engine.rules.length, 0);
  assert.deepEqual(
    result.errors.map((e) => `${e.location!.line}:${e.location!.col}: ${e.item}: ${e.message}`),
    [
      "9:14: rule 'R': exception 'len': fields and comps lists must have equal length (2 fields, 1 comps)",
      "13:16: rule 'R': exception 'tuple': each value must be a list of 2 items, one per field",
      "16:14: rule 'R': exception 'single_comp': when fields is a single field, comps must be one of in, pmatch, intersects, or a string operator with a modifier such as 'startswith oneof' (got '=')",
      "20:15: rule 'R': exception 'bad_op': 'likes' is not a supported comparison operator",
      "22:7: rule 'R': exception 'nofields' has no 'fields'",
    ],
  );
});

test('an unknown field in an exception is an error pointing at the field in the YAML', () => {
  const { result } = engineFor(base('- name: f', '  fields: [proc.name, proc.nope]', '  values: [[a, b]]'));
  assert.deepEqual(formatted(result), ["rules1.yaml:8:27: rule 'R': unknown field 'proc.nope'\n          fields: [proc.name, proc.nope]\n                              ^"]);
});

test('an unknown field in an exception with skip-if-unknown-filter skips the rule with a warning', () => {
  const { engine, result } = engineFor(
    rule('R', 'evt.type = open', 'skip-if-unknown-filter: true', 'exceptions:', '  - name: f', '    fields: proc.nope', '    values: [a]'),
  );
  assert.deepEqual(result.errors, []);
  assert.equal(engine.rules.length, 0);
  assert.ok(result.warnings.some((w) => w.message.includes("unknown field 'proc.nope'")));
});

test('exception duplicate names in one rule are a warning', () => {
  const { result } = engineFor(base('- name: a', '  fields: proc.name', '  values: [x]', '- name: a', '  fields: proc.name', '  values: [y]'));
  assert.deepEqual(result.errors, []);
  assert.ok(result.warnings.some((w) => w.message === "exception 'a' is defined more than once in this rule"));
});

// Falco splices each value into the condition text; the cases below are where
// that differs from taking the value as one literal.

test('a tuple string value starting with ( is a list for comp in: "(sshd, login)" is two items', () => {
  const engine = loadClean(base('- name: shells', '  fields: [proc.name, proc.pname]', '  comps: [=, in]', '  values: [[bash, "(sshd, login)"]]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'bash', pname: 'sshd' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'bash', pname: 'login' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'bash', pname: 'cron' }), ['R']);
  assert.deepEqual(matching(engine, { type: 'open', name: 'bash', pname: '(sshd, login)' }), ['R']);
});

test('a tuple "(a, b)" value with intersects and pmatch is a list too; a list name in it expands', () => {
  const engine = loadClean(
    '- list: tmp_dirs\n  items: [/tmp, /var/tmp]\n',
    base('- name: dirs', '  fields: [proc.name, fd.name]', '  comps: [=, pmatch]', '  values: [[cp, "(tmp_dirs, /run)"]]'),
  );
  for (const fdName of ['/tmp/x', '/var/tmp/y', '/run/z']) assert.deepEqual(matching(engine, { type: 'open', name: 'cp', fdName }), [], fdName);
  assert.deepEqual(matching(engine, { type: 'open', name: 'cp', fdName: '/etc/x' }), ['R']);
});

test('a single-field value "(a, b)" has a space, so it is quoted: one item, not a list', () => {
  const engine = loadClean(base('- name: odd', '  fields: proc.name', '  values: ["(sshd, login)"]'));
  assert.deepEqual(matching(engine, { type: 'open', name: '(sshd, login)' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'sshd' }), ['R']);
});

test('a value without spaces is taken as written: a,b in a single-field exception is two items', () => {
  const engine = loadClean(base('- name: pair', '  fields: proc.name', '  values: ["a,b"]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'a' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'b' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'a,b' }), ['R']);
});

test('a value that starts with a quote is a quoted string, quotes removed', () => {
  const engine = loadClean(
    base('- name: q1', '  fields: proc.name', `  values: ['"my daemon"']`, '- name: q2', '  fields: [proc.pname]', `  values: [["'cron job'"]]`),
  );
  assert.deepEqual(matching(engine, { type: 'open', name: 'my daemon' }), []);
  assert.deepEqual(matching(engine, { type: 'open', pname: 'cron job' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: '"my daemon"' }), ['R']);
});

test('a value with a space is double-quoted as it is, so its backslash escapes are read', () => {
  const engine = loadClean(base('- name: esc', '  fields: [proc.cmdline]', `  values: [['run\\tnow please']]`));
  assert.deepEqual(matching(engine, { type: 'open', cmdline: 'run\tnow please' }), []);
  assert.deepEqual(matching(engine, { type: 'open', cmdline: 'run\\tnow please' }), ['R']);
});

test('val() in a tuple value compares with another field, as in a condition', () => {
  const engine = loadClean(base('- name: same', '  fields: [proc.name]', '  values: [["val(proc.pname)"]]'));
  assert.deepEqual(matching(engine, { type: 'open', name: 'x', pname: 'x' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'x', pname: 'y' }), ['R']);
});

test('a value whose spliced text does not parse is an error at the value, naming the exception', () => {
  const { engine, result } = engineFor(
    base('- name: inner_quote', '  fields: proc.name', `  values: ['say "hi" now']`, '- name: spaced_list', '  fields: [proc.name]', '  comps: [in]', '  values: [[two words]]'),
  );
  assert.equal(engine.rules.length, 0);
  assert.deepEqual(
    result.errors.map((e) => `${e.location!.line}:${e.location!.col}: ${e.message.replace(/ \(.*\)$/, '')}`),
    [
      `9:16: exception 'inner_quote': value 'say "hi" now' with comp 'in' reads as '("say "hi" now")', which is not a valid value`,
      "13:17: exception 'spaced_list': value 'two words' with comp 'in' reads as '(two words)', which is not a valid value",
    ],
  );
});

test('comps with a modifier (Falco with libs 0.25): one field takes the values as its list, a tuple element takes a list or a value in parentheses', () => {
  const engine = loadClean(
    base(
      '- name: single',
      '  fields: proc.name',
      '  comps: startswith oneof',
      '  values: [ssh, su]',
      '- name: tuple',
      '  fields: [proc.cmdline, fd.name, proc.pname]',
      '  comps: [contains allof, "  endswith anyof  ", "= oneof"]',
      '  values:',
      '    - [[curl, ci.internal], .sh, [cron, cron]]',
    ),
  );
  // oneof: exactly one of ssh, su is a prefix ("sshd" starts with ssh, not su; "su" with su only)
  assert.deepEqual(matching(engine, { type: 'open', name: 'sshd' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'bash' }), ['R']);
  const hit = { type: 'open', name: 'x', cmdline: 'curl https://ci.internal', fdName: '/tmp/a.sh' };
  // "= oneof (cron, cron)": the value matches twice, so never exactly once
  assert.deepEqual(matching(engine, { ...hit, pname: 'cron' }), ['R']);
  const engine2 = loadClean(base('- name: t', '  fields: [proc.cmdline, fd.name]', '  comps: [contains allof, endswith anyof]', '  values:', '    - [[curl, ci.internal], .sh]'));
  assert.deepEqual(matching(engine2, hit), []);
  assert.deepEqual(matching(engine2, { ...hit, cmdline: 'curl https://example' }), ['R']);
});

test('comps with a modifier that Falco refuses are errors', () => {
  const { result } = engineFor(
    base(
      '- name: list_op',
      '  fields: [proc.name]',
      '  comps: [in oneof]',
      '  values: [[a]]',
      '- name: num_op',
      '  fields: [proc.pid]',
      '  comps: [">= oneof"]',
      '  values: [[1]]',
      '- name: alone',
      '  fields: [proc.name]',
      '  comps: [oneof]',
      '  values: [[a]]',
      '- name: two_blanks',
      '  fields: [proc.name]',
      '  comps: ["=  oneof"]',
      '  values: [[a]]',
    ),
  );
  assert.deepEqual(
    result.errors.map((e) => e.message),
    [
      "exception 'list_op': 'in oneof' is not a supported comparison operator",
      "exception 'num_op': '>= oneof' is not a supported comparison operator",
      "exception 'alone': 'oneof' is not a supported comparison operator",
      "exception 'two_blanks': '=  oneof' is not a supported comparison operator",
    ],
  );
});

test('an exception field may be a transformer of several arguments (Falco compiles "<field> exists" for it)', () => {
  const engine = loadClean(
    base('- name: pair', '  fields:', `    - 'concat(proc.name, ":", proc.pname)'`, '  comps: [= anyof]', '  values:', '    - [[sh:sshd, python:cron]]'),
  );
  assert.deepEqual(matching(engine, { type: 'open', name: 'sh', pname: 'sshd' }), []);
  assert.deepEqual(matching(engine, { type: 'open', name: 'sh', pname: 'cron' }), ['R']);
  const { result } = engineFor(base('- name: bad', '  fields: ["concat(proc.name, proc.nope)"]', '  values: [[a]]'));
  assert.deepEqual(formatted(result), ["rules1.yaml:8:16: rule 'R': unknown field 'proc.nope'\n          fields: [\"concat(proc.name, proc.nope)\"]\n                   ^"]);
});
