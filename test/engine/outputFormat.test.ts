import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileOutput } from '../../src/engine/outputFormat';
import { ConditionError } from '../../src/engine/errors';
import { UnknownFieldError } from '../../src/engine/compile';
import { bindCalls, testSource, type TestEvent } from './testSource';

const evt: TestEvent = {
  type: 'open',
  name: 'bash',
  pid: 42,
  failed: false,
  time: 1_700_000_000_123_456_789n,
  latency: 1500n,
  fdName: '/etc/shadow',
  ancestors: ['sshd', 'systemd'],
  tags: ['a', 'b'],
  nums: [1, 2],
  args: { flags: 'O_RDONLY' },
  params: { pretty: 'true' },
  buffer: new Uint8Array(Buffer.from('hi there')),
  ip: '10.0.0.1',
};

function render(format: string, e: TestEvent = evt): string {
  return compileOutput(format, testSource).render(e);
}

function fails(format: string): { message: string; line: number; col: number; err: ConditionError } {
  try {
    compileOutput(format, testSource);
  } catch (err) {
    assert.ok(err instanceof ConditionError, `expected ConditionError, got ${err}`);
    return { message: err.message, line: err.pos.line, col: err.pos.col, err };
  }
  assert.fail(`expected ${JSON.stringify(format)} to fail`);
}

test('substitutes %field and %(field), keeps the text around them', () => {
  assert.equal(render('File opened (user=%proc.name pid=%proc.pid file=%fd.name)'), 'File opened (user=bash pid=42 file=/etc/shadow)');
  assert.equal(render('%(proc.name)x'), 'bashx');
  assert.equal(render('%proc.name%proc.pid'), 'bash42');
  assert.equal(render('no fields at all'), 'no fields at all');
  assert.equal(render(''), '');
  assert.equal(render('%proc.name'), 'bash');
});

test('fields with arguments: brackets, dotted, index', () => {
  assert.equal(render('parent=%proc.aname[1] gp=%proc.aname[2]'), 'parent=sshd gp=systemd');
  assert.equal(render('flags=%evt.arg.flags or %evt.arg[flags]'), 'flags=O_RDONLY or O_RDONLY');
  assert.equal(render('%(ka.uri.param[pretty])'), 'true');
  assert.equal(render('%proc.aname[3]'), '<NA>');
});

test('a name running into text is cut back to the longest known field', () => {
  assert.equal(render('%proc.name.'), 'bash.');
  assert.equal(render('%fd.name.bak'), '/etc/shadow.bak');
  assert.equal(render('(%proc.name)'), '(bash)');
  assert.equal(render('%proc.name,%proc.pid;'), 'bash,42;');
});

test('missing values print <NA>; types print as Falco does', () => {
  assert.equal(render('%proc.pname %proc.pid', { type: 'open' }), '<NA> <NA>');
  assert.equal(render('%evt.failed %evt.time %evt.latency %fd.ip'), 'false 1700000000123456789 1500 10.0.0.1');
  assert.equal(render('%proc.tags %proc.nums'), '(a,b) (1,2)');
  assert.equal(render('%proc.tags', { type: 'open', tags: [] }), '<NA>');
  assert.equal(render('%evt.buffer'), 'hi there');
});

test('%N pads or cuts to N characters', () => {
  assert.equal(render('[%8proc.name]'), '[bash    ]');
  assert.equal(render('[%2proc.name]'), '[ba]');
  assert.equal(render('[%6(proc.pid)]'), '[42    ]');
  assert.equal(render('[%5proc.pname]', { type: 'open' }), '[<NA> ]');
});

test('fields(): values keyed as written, typed, null when missing', () => {
  const out = compileOutput('%proc.name %proc.pid %evt.failed %proc.aname[2] %evt.arg.flags %(fd.name) %evt.time %evt.latency %proc.tags %proc.pname %8evt.buffer', testSource);
  assert.deepEqual(out.fields(evt), {
    'proc.name': 'bash',
    'proc.pid': 42,
    'evt.failed': false,
    'proc.aname[2]': 'systemd',
    'evt.arg.flags': 'O_RDONLY',
    'fd.name': '/etc/shadow',
    'evt.time': '1700000000123456789',
    'evt.latency': 1500,
    'proc.tags': '(a,b)',
    'proc.pname': null,
    'evt.buffer': 'hi there',
  });
  assert.deepEqual(compileOutput('%proc.name', testSource).fields({ type: 'x' }), { 'proc.name': null });
});

test('compiles once: fields are bound at compile time', () => {
  bindCalls.length = 0;
  const out = compileOutput('%proc.aname[1] %evt.arg.flags', testSource);
  for (let i = 0; i < 10; i++) out.render(evt);
  assert.deepEqual(bindCalls, ['proc.aname[1]', 'evt.arg[flags]']);
});

test('errors carry the position in the format', () => {
  let e = fails('user=%proc.nmae x');
  assert.ok(e.err instanceof UnknownFieldError);
  assert.equal(e.message, "unknown field 'proc.nmae'");
  assert.deepEqual([e.line, e.col], [1, 7]);
  e = fails('a\nb %nope');
  assert.ok(e.err instanceof UnknownFieldError);
  assert.deepEqual([e.line, e.col], [2, 4]);
  const cases: [string, string, number][] = [
    ['100% sure', "expected a field name after '%', found ' '", 5],
    ['trailing %', "expected a field name after '%', found end of output", 10],
    ['%%', "expected a field name after '%', found '%'", 2],
    ['%12', "expected a field name after '%', found end of output", 1],
    ['x %(proc.name', "expected ')' to close '%(' at column 3", 14],
    ['%proc.aname[2', "unterminated argument of 'proc.aname': no ']'", 12],
    ['%proc.aname', "field 'proc.aname' requires an argument, e.g. 'proc.aname[1]'", 2],
    ['%proc.name[3]', "field 'proc.name' takes no argument, got '[3]'", 2],
    ['%proc.aname[x]', "field 'proc.aname' takes a numeric index, got 'x'", 2],
  ];
  for (const [format, message, col] of cases) {
    const err = fails(format);
    assert.equal(err.message, message, format);
    assert.equal(err.col, col, format);
  }
});

test('a width too large to print is refused at compile time, at the width, not at each alert', () => {
  const f = fails('x %99999999999proc.name');
  assert.match(f.message, /width 99999999999 .*at most 4096/);
  assert.equal(f.col, 4);
  // the largest width allowed still renders
  assert.equal(render('%4096proc.name').length, 4096);
});

test('transformers in outputs: %tolower(field), nested, with width; errors at their place', () => {
  const out = compileOutput('n=%tolower(proc.name) b=%basename(toupper(fd.name)) w=%6toupper(proc.name)|', testSource);
  const ev = { type: 'open', name: 'BaSh', fdName: '/etc/Passwd' };
  assert.equal(out.render(ev), 'n=bash b=PASSWD w=BASH  |');
  assert.deepEqual(Object.keys(out.fields(ev)), ['tolower(proc.name)', 'basename(toupper(fd.name))', 'toupper(proc.name)']);
  assert.throws(() => compileOutput('x %tolower(proc.nosuch)', testSource), (e: unknown) => e instanceof UnknownFieldError && (e as UnknownFieldError).pos.col === 12);
});

test('control characters in field values print as escapes, so a value cannot start a line of its own', () => {
  const forged = { ...evt, name: 'x\n12:00:00.000000000: Critical Fake alert', fdName: '/tmp/a\rb\x1b[2K' };
  const out = compileOutput('proc=%proc.name file=%fd.name', testSource);
  assert.equal(out.render(forged), 'proc=x\\n12:00:00.000000000: Critical Fake alert file=/tmp/a\\rb\\x1b[2K');
  // output fields keep the value as it is: JSON escapes it where it is written
  assert.equal(out.fields(forged)['proc.name'], 'x\n12:00:00.000000000: Critical Fake alert');
});
