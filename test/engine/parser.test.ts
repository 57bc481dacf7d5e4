import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PARSE_DEPTH, parseCondition } from '../../src/engine/parser';
import { ConditionError } from '../../src/engine/errors';
import type { BinaryCheck, BoolExpr, ListLiteral, Literal, TransformArg } from '../../src/engine/ast';

/** A compact rendering of the tree, to compare shapes without positions. */
function show(n: BoolExpr): string {
  switch (n.kind) {
    case 'and':
    case 'or':
      return `(${n.kind} ${n.children.map(show).join(' ')})`;
    case 'not':
      return `(not ${show(n.child)})`;
    case 'macro':
      return `@${n.name}`;
    case 'unary':
      return `(${operand(n.field)} exists)`;
    case 'binary': {
      const v = n.value;
      const val =
        v.kind === 'literal' ? lit(v) : v.kind === 'list' ? `[${v.items.map(lit).join(',')}]` : `val(${operand(v.field)})`;
      return `(${operand(n.field)} ${n.op}${n.modifier ? ` ${n.modifier}` : ''} ${val})`;
    }
  }
}
function lit(l: Literal): string {
  return l.quoted ? JSON.stringify(l.value) : l.value;
}
function operand(f: TransformArg): string {
  if (f.kind === 'literal') return lit(f);
  if (f.kind === 'tlist') return `(${f.items.map(operand).join(',')})`;
  if (f.kind === 'field') return f.arg === undefined ? f.name : `${f.name}[${f.arg}]`;
  return `${f.name}(${f.args.map(operand).join(',')})${f.arg === undefined ? '' : `[${f.arg}]`}`;
}
function parse(text: string): string {
  return show(parseCondition(text));
}
function parseError(text: string): { message: string; line: number; col: number; offset: number } {
  try {
    parseCondition(text);
  } catch (err) {
    assert.ok(err instanceof ConditionError, `expected ConditionError, got ${err}`);
    return { message: err.message, line: err.pos.line, col: err.pos.col, offset: err.pos.offset };
  }
  assert.fail(`expected ${JSON.stringify(text)} to fail to parse`);
}

test('precedence: not binds tighter than and, and tighter than or', () => {
  assert.equal(parse('a or b and c'), '(or @a (and @b @c))');
  assert.equal(parse('a and b or c'), '(or (and @a @b) @c)');
  assert.equal(parse('not a and b'), '(and (not @a) @b)');
  assert.equal(parse('not a or not b and c'), '(or (not @a) (and (not @b) @c))');
  assert.equal(parse('(a or b) and c'), '(and (or @a @b) @c)');
  assert.equal(parse('not (a or b)'), '(not (or @a @b))');
  assert.equal(parse('not not a'), '(not (not @a))');
  assert.equal(parse('a and b and c'), '(and @a @b @c)');
  assert.equal(parse('a or b or c or d'), '(or @a @b @c @d)');
});

test('not, and, or need no blank before a parenthesis, and are whole words only', () => {
  assert.equal(parse('not(a)'), '(not @a)');
  assert.equal(parse('(a)and(b)'), '(and @a @b)');
  assert.equal(parse('(a)or(b)'), '(or @a @b)');
  assert.equal(parse('notx and android'), '(and @notx @android)');
  assert.equal(parse('order or nothing'), '(or @order @nothing)');
});

test('operators: every binary operator, with and without blanks', () => {
  const ops = ['=', '==', '!=', '<', '<=', '>', '>='];
  for (const op of ops) {
    assert.equal(parse(`proc.pid ${op} 5`), `(proc.pid ${op} 5)`);
    assert.equal(parse(`proc.pid${op}5`), `(proc.pid ${op} 5)`);
  }
  for (const op of ['contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob']) {
    assert.equal(parse(`proc.name ${op} abc`), `(proc.name ${op} abc)`);
  }
  assert.equal(parse('proc.name exists'), '(proc.name exists)');
  assert.equal(parse('not proc.name exists'), '(not (proc.name exists))');
});

test('operators are case-sensitive words', () => {
  const e = parseError('proc.name CONTAINS x');
  assert.equal(e.message, "expected an operator after field 'proc.name', found 'CONTAINS'");
  assert.deepEqual([e.line, e.col], [1, 11]);
  assert.equal(parseError('evt.type IN (a)').message, "expected an operator after field 'evt.type', found 'IN'");
});

test('list operands: items, quoting, blanks, empty list, lone name', () => {
  assert.equal(parse('evt.type in (open, openat,close)'), '(evt.type in [open,openat,close])');
  assert.equal(parse("proc.name in ( 'a b' , \"c,d\" )"), '(proc.name in ["a b","c,d"])');
  assert.equal(parse('proc.name in ()'), '(proc.name in [])');
  assert.equal(parse('proc.name in ( )'), '(proc.name in [])');
  assert.equal(parse('proc.name in shell_binaries'), '(proc.name in [shell_binaries])');
  assert.equal(parse('proc.tags intersects (a)'), '(proc.tags intersects [a])');
  assert.equal(parse('fd.name pmatch (/etc, /usr/bin/)'), '(fd.name pmatch [/etc,/usr/bin/])');
  const n = parseCondition('x.y in (a, b)') as BinaryCheck;
  const list = n.value as ListLiteral;
  assert.deepEqual(list.pos, { offset: 7, line: 1, col: 8 });
  assert.deepEqual(list.items.map((i) => i.pos.col), [9, 12]);
});

test('bare values take Falco-style words: paths, negatives, dotted, CIDR, globs', () => {
  assert.equal(parse('fd.name startswith /usr/bin'), '(fd.name startswith /usr/bin)');
  assert.equal(parse('proc.pid = -1'), '(proc.pid = -1)');
  assert.equal(parse('proc.name = foo.bar'), '(proc.name = foo.bar)');
  assert.equal(parse('fd.ip = 127.0.0.1/8'), '(fd.ip = 127.0.0.1/8)');
  assert.equal(parse('fd.name glob *.sh'), '(fd.name glob *.sh)');
  assert.equal(parse('proc.pid=0x1F'), '(proc.pid = 0x1F)');
  assert.equal(parse('fd.name = /etc)'.slice(0, -1)), '(fd.name = /etc)');
  assert.equal(parse('(fd.name=/etc)'), '(fd.name = /etc)');
  // Falco rules write event directions as bare < and >
  assert.equal(parse('evt.dir=<'), '(evt.dir = <)');
  assert.equal(parse('evt.dir = > and a'), '(and (evt.dir = >) @a)');
  assert.equal(parse('evt.rawres>=0'), '(evt.rawres >= 0)');
});

test('quoted strings: both quotes and escapes', () => {
  const v = (text: string) => ((parseCondition(text) as BinaryCheck).value as Literal).value;
  assert.equal(v('a.b = "x y"'), 'x y');
  assert.equal(v("a.b = 'x y'"), 'x y');
  assert.equal(v('a.b = "say \\"hi\\""'), 'say "hi"');
  assert.equal(v("a.b = 'it\\'s'"), "it's");
  assert.equal(v('a.b = "a\\\\b"'), 'a\\b');
  assert.equal(v('a.b = "l1\\nl2\\tx"'), 'l1\nl2\tx');
  assert.equal(v('a.b = "\\x41\\x7a"'), 'Az');
  // Falco's escapes: \/ is '/', and "\ " one backslash (its sudo rule is written that way)
  assert.equal(v('a.b = "a\\/b"'), 'a/b');
  assert.equal(v('a.b = "\\ "'), '\\');
  assert.equal(v('a.b = "\\b\\f\\r"'), '\b\f\r');
  assert.equal(v('a.b = "it\'s"'), "it's");
  assert.equal(v('a.b = ""'), '');
  assert.equal((parseCondition('a.b = "x"') as BinaryCheck).value.kind, 'literal');
  assert.equal(((parseCondition('a.b = "x"') as BinaryCheck).value as Literal).quoted, true);
  assert.equal(((parseCondition('a.b = x') as BinaryCheck).value as Literal).quoted, false);
});

test('field arguments: raw up to the matching bracket, or quoted', () => {
  assert.equal(parse('proc.aname[2] = bash'), '(proc.aname[2] = bash)');
  assert.equal(parse('jevt.value[/user/name] = x'), '(jevt.value[/user/name] = x)');
  assert.equal(parse('ka.req.volume.hostpath[/proc*] = true'), '(ka.req.volume.hostpath[/proc*] = true)');
  assert.equal(parse('ka.uri.param[pretty] exists'), '(ka.uri.param[pretty] exists)');
  assert.equal(parse('j.v[/a[0]/b] = x'), '(j.v[/a[0]/b] = x)');
  assert.equal(parse('j.v["a b]"] = x'), '(j.v[a b]] = x)');
  assert.equal(parse('j.v[a b] = x'), '(j.v[a b] = x)');
  assert.equal(parse('evt.arg.name = x'), '(evt.arg.name = x)');
  assert.equal(parse('x = 1'), '(x = 1)');
});

test('transformers and val()', () => {
  assert.equal(parse('tolower(proc.name) = bash'), '(tolower(proc.name) = bash)');
  assert.equal(parse('toupper(tolower(proc.name)) = BASH'), '(toupper(tolower(proc.name)) = BASH)');
  assert.equal(parse('b64(evt.arg.data) contains x'), '(b64(evt.arg.data) contains x)');
  assert.equal(parse('basename(fd.name) in (a, b)'), '(basename(fd.name) in [a,b])');
  assert.equal(parse('proc.name = val(proc.pname)'), '(proc.name = val(proc.pname))');
  assert.equal(parse('proc.name != val( proc.pname )'), '(proc.name != val(proc.pname))');
  assert.equal(parse('proc.name != tolower(proc.pname)'), '(proc.name != val(tolower(proc.pname)))');
  assert.equal(parse('tolower exists'), '(tolower exists)');
});

test('transformers of several arguments: literals, numbers, lists, nesting, and a [selector]', () => {
  assert.equal(parse('join("-", (fd.name, fd.directory)) = /tmp'), '(join("-",(fd.name,fd.directory)) = /tmp)');
  assert.equal(parse("join( '->' , ( \"a\" , proc.pid , 0x1F, -2.5e+3 ) ) = x"), '(join("->",("a",proc.pid,0x1F,-2.5e+3)) = x)');
  assert.equal(parse('join(",", ()) = ""'), '(join(",",()) = "")');
  assert.equal(parse('concat(toupper(proc.name), "-", fd.name) startswith A'), '(concat(toupper(proc.name),"-",fd.name) startswith A)');
  assert.equal(parse('len(join("-", (fd.name, concat(a.b, c.d)))) > 5'), '(len(join("-",(fd.name,concat(a.b,c.d)))) > 5)');
  assert.equal(parse('getopt((a.b), "nt:")[t] = value'), '(getopt((a.b),"nt:")[t] = value)');
  assert.equal(parse(`getopt(("-n", "-t", x.y), 'nt:')["t"] = value`), '(getopt(("-n","-t",x.y),"nt:")[t] = value)');
  assert.equal(parse('evt.type = tolower(join("-", (fd.name, fd.directory)))'), '(evt.type = val(tolower(join("-",(fd.name,fd.directory)))))');
  assert.equal(parse('not join("-", (a.b)) = x and p.q = 1'), '(and (not (join("-",(a.b)) = x)) (p.q = 1))');
});

test('modifiers oneof/anyof/allof after a string operator, as libs reads them', () => {
  assert.equal(parse('proc.name startswith oneof (a, b)'), '(proc.name startswith oneof [a,b])');
  assert.equal(parse('proc.name == anyof\n(a)'), '(proc.name == anyof [a])');
  assert.equal(parse('proc.name != allof my_list'), '(proc.name != allof [my_list])');
  assert.equal(parse('fd.name glob allof ()'), '(fd.name glob allof [])');
  assert.equal(parse('tolower(proc.name) regex oneof ("a.*", b)'), '(tolower(proc.name) regex oneof ["a.*",b])');
  // without a blank around it, or without a list after it, the word is the value
  assert.equal(parse('proc.name = oneof'), '(proc.name = oneof)');
  assert.equal(parse('proc.name = oneof and proc.pid = 1'), '(and (proc.name = oneof) (proc.pid = 1))');
  assert.equal(parse('proc.name = oneof or not a.b = c'), '(or (proc.name = oneof) (not (a.b = c)))');
  assert.equal(parse('proc.name = "oneof"'), '(proc.name = "oneof")');
  for (const text of ['proc.name=oneof (a)', 'proc.name contains allof(a)', 'proc.name = oneof not_a_list', 'proc.name in oneof (a)', 'proc.pid < anyof (1)', 'proc.name = oneof "a"']) {
    assert.throws(() => parseCondition(text), ConditionError, text);
  }
});

test('positions are 0-based offsets with 1-based line and column across lines', () => {
  const n = parseCondition('a and\n  proc.name = x\n  and not b') as Extract<BoolExpr, { kind: 'and' }>;
  assert.deepEqual(n.pos, { offset: 0, line: 1, col: 1 });
  const check = n.children[1] as BinaryCheck;
  assert.deepEqual(check.pos, { offset: 8, line: 2, col: 3 });
  assert.deepEqual(check.opPos, { offset: 18, line: 2, col: 13 });
  assert.deepEqual(check.field.pos, { offset: 8, line: 2, col: 3 });
  assert.deepEqual(check.value.pos, { offset: 20, line: 2, col: 15 });
  const not = n.children[2] as Extract<BoolExpr, { kind: 'not' }>;
  assert.deepEqual(not.pos, { offset: 28, line: 3, col: 7 });
  assert.deepEqual(not.child.pos, { offset: 32, line: 3, col: 11 });
});

test('syntax errors name the problem at the offending token', () => {
  const cases: [string, string, number, number][] = [
    ['', 'empty condition', 1, 1],
    ['   ', 'empty condition', 1, 4],
    ['proc.name in', "expected a value after 'in', found end of condition", 1, 13],
    ['proc.name in ', "expected a value after 'in', found end of condition", 1, 14],
    ['proc.name =', "expected a value after '=', found end of condition", 1, 12],
    ['proc.name = )', "expected a value after '=', found ')'", 1, 13],
    ['proc.name = (a, b)', "operator '=' takes a single value, not a list", 1, 13],
    ['a)', "unexpected ')'", 1, 2],
    ['(a', "expected ')' to close the '(' at 1:1, found end of condition", 1, 3],
    ['()', "expected a condition after '('", 1, 2],
    ['a and', 'expected a condition, found end of condition', 1, 6],
    ['a or or b', "unexpected 'or'", 1, 6],
    ['and a', "unexpected 'and'", 1, 1],
    ['not', 'expected a condition, found end of condition', 1, 4],
    ['a b', "unexpected 'b'", 1, 3],
    ['proc.name', "expected an operator after field 'proc.name', found end of condition", 1, 10],
    ['proc.name foo', "expected an operator after field 'proc.name', found 'foo'", 1, 11],
    ['proc.aname[2]', "expected an operator after field 'proc.aname', found end of condition", 1, 14],
    ['tolower(proc.name)', "expected an operator after 'tolower(...)', found end of condition", 1, 19],
    ['proc.name = "abc', 'unterminated string', 1, 13],
    ["proc.name in ('a, b)", 'unterminated string', 1, 15],
    ['proc.name = "ab\\', 'unterminated string', 1, 13],
    ['proc.name = "\\xZZ"', 'expected two hex digits after \\x', 1, 14],
    ['proc.name = "a\\.b"', `unsupported escape \\. in a string (Falco takes \\\\ \\/ \\" \\' \\b \\f \\n \\r \\t \\xHH)`, 1, 15],
    ['proc.name = "\\0"', `unsupported escape \\0 in a string (Falco takes \\\\ \\/ \\" \\' \\b \\f \\n \\r \\t \\xHH)`, 1, 14],
    ["proc.name = 'it\\\"s'", 'invalid \\" escape in a \'-quoted string', 1, 16],
    ['proc.name = "it\\\'s"', "invalid \\' escape in a \"-quoted string", 1, 16],
    ['proc.name in (a b)', "expected ',' or ')' in list, found 'b'", 1, 17],
    ['proc.name in (a,', 'expected a list item, found end of condition', 1, 17],
    ['proc.name in (a, )', "expected a list item, found ')'", 1, 18],
    ['proc.name in (a', "unterminated list: expected ')' to close the '(' at 1:14", 1, 16],
    ['j.v[abc = x', "unterminated argument of 'j.v': no matching ']'", 1, 4],
    ['j.v["x" = 1', "expected ']' after the quoted argument of 'j.v'", 1, 8],
    ['tolower(proc.name = x', "expected ',' or ')' after an argument of 'tolower(', found '='", 1, 19],
    ['tolower() = x', "expected an argument of 'tolower(' (a field, a transformer, a quoted string, a number or a list), found ')'", 1, 9],
    ['join("-", bare) = x', "expected an argument of 'join(' (a field, a transformer, a quoted string, a number or a list), found 'bare'", 1, 11],
    ['join("-", (a.b c.d)) = x', "expected ',' or ')' in a list argument of 'join(', found 'c.d'", 1, 16],
    ['getopt((a.b), "t:")[t = x', "unterminated argument of 'getopt': no matching ']'", 1, 20],
    ['proc.name = val(proc.pname', "expected ')' after the field of 'val(', found end of condition", 1, 27],
    ['= x', "unexpected '='", 1, 1],
    ['a and\n  (b or', 'expected a condition, found end of condition', 2, 8],
    ['a and\n  proc.name in', "expected a value after 'in', found end of condition", 2, 15],
  ];
  for (const [text, message, line, col] of cases) {
    const e = parseError(text);
    assert.deepEqual(e, { message, line, col, offset: e.offset }, `for ${JSON.stringify(text)}`);
  }
});

test('depth guard: nesting up to the limit parses, beyond it is an error', () => {
  const ok = '('.repeat(MAX_PARSE_DEPTH) + 'a' + ')'.repeat(MAX_PARSE_DEPTH);
  assert.equal(parse(ok), '@a');
  const deep = '('.repeat(MAX_PARSE_DEPTH + 1) + 'a' + ')'.repeat(MAX_PARSE_DEPTH + 1);
  const e = parseError(deep);
  assert.equal(e.message, `condition nests too deeply (more than ${MAX_PARSE_DEPTH} levels)`);
  assert.equal(e.col, MAX_PARSE_DEPTH + 1);
  assert.match(parseError('not '.repeat(MAX_PARSE_DEPTH + 1) + 'a').message, /nests too deeply/);
  assert.match(parseError('tolower('.repeat(MAX_PARSE_DEPTH + 1) + 'x.y' + ')'.repeat(MAX_PARSE_DEPTH + 1) + ' = a').message, /nests too deeply/);
  // far past the limit still fails cleanly rather than overflowing the stack
  assert.match(parseError('('.repeat(100000)).message, /nests too deeply/);
});

test('a long flat chain is not nesting', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `m${i}`).join(' and ');
  const n = parseCondition(text);
  assert.equal(n.kind, 'and');
  assert.equal((n as Extract<BoolExpr, { kind: 'and' }>).children.length, 5000);
});
