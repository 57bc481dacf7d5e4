import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseCondition } from '../../src/engine/parser';
import { closureEvaluator, compileCondition, planCondition, type CompileContext } from '../../src/engine/compile';
import { foldEvttypes, generateEvaluator, MAX_GENERATED_CHECKS, type Plan } from '../../src/engine/codegen';
import { TEST_EVENT_TYPES, testSource, type TestEvent } from './testSource';

function ctx(macros: Record<string, string> = {}, lists: Record<string, string[]> = {}): CompileContext<TestEvent> {
  return {
    source: testSource,
    macros: new Map(Object.entries(macros).map(([k, v]) => [k, parseCondition(v)])),
    lists: new Map(Object.entries(lists)),
  };
}

function plan(cond: string, c = ctx()): Plan<TestEvent> {
  return planCondition(parseCondition(cond), c).plan;
}

/** The text of the evaluator generated for `p` ('' when none is). */
function generatedSource(p: Plan<TestEvent>, known?: ReadonlySet<string>): string {
  return generateEvaluator(p, known)?.toString() ?? '';
}

/** A quoted condition literal for any text. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

test('generated code holds no rule text: values reach it only through the constants array', () => {
  const hostile = ['"); process.exit(7); ("', '`${process.exit(7)}`', "'; throw 1; //", '\\u0022 */ x', 'needle_Q7'];
  const conds = hostile.flatMap((h) => [
    `proc.name = ${q(h)}`,
    `proc.name != ${q(h)}`,
    `proc.cmdline contains ${q(h)}`,
    `proc.cmdline icontains ${q(h)}`,
    `proc.cmdline startswith ${q(h)} or proc.cmdline endswith ${q(h)}`,
    `fd.name glob ${q('*' + h + '*')}`,
    `fd.name glob ${q('/x*' + h)}`,
    `fd.name pmatch (${q('/' + h)}, /etc)`,
    `proc.name in (${q(h)}, a, b)`,
    `proc.tags intersects (${q(h)})`,
    `proc.cmdline startswith anyof (${q(h)}, x)`,
    `proc.name contains oneof (${q(h)}, a)`,
    `proc.name != allof (${q(h)})`,
    `proc.name endswith allof (${q(h)}, b)`,
    `evt.arg[${h.replace(/[\]"']/g, '')}] = x`,
  ]);
  for (const cond of conds) {
    const p = plan(cond);
    for (const known of [undefined, new Set(['open'])]) {
      const src = generatedSource(p, known);
      assert.ok(src.length > 0, `no generated code for ${cond}`);
      for (const h of hostile) {
        for (const piece of [h, h.slice(0, 8), h.slice(-8)]) {
          assert.ok(!src.includes(piece), `generated code for ${cond} contains ${JSON.stringify(piece)}:\n${src}`);
        }
      }
      assert.ok(/^function evaluate\(e\) \{\n  let v;\n  return [^;]*;\n\}$/.test(src), `unexpected shape:\n${src}`);
    }
  }
  // and the hostile values still compare as plain text
  for (const h of hostile) {
    const c = compileCondition(parseCondition(`proc.name = ${q(h)} and proc.cmdline contains ${q(h)}`), ctx());
    assert.equal(c.evaluate({ type: 'open', name: h, cmdline: `x${h}y` }), true);
    assert.equal(c.evaluate({ type: 'open', name: h + ' ', cmdline: h }), false);
  }
});

test('event-type folding: checks the index decides drop out, others stay', () => {
  const known = new Set(['open', 'openat']);
  const fold = (cond: string, k: ReadonlySet<string> = known, c = ctx()) => foldEvttypes(plan(cond, c), k, new Map());
  const only = (r: Plan<TestEvent> | boolean) => {
    assert.ok(typeof r !== 'boolean' && r.kind === 'check' && r.evttype === undefined, `expected one non-type check, got ${JSON.stringify(r)}`);
  };
  only(fold('evt.type in (open, openat) and proc.name = a'));
  only(fold('evt.type in (open, openat, execve) and proc.name = a'));
  only(fold('not evt.type = execve and proc.name = a'));
  only(fold('evt.type != execve and proc.name = a'));
  only(fold('m and proc.name = a', known, ctx({ m: 'evt.type in (open, openat)' })));
  assert.equal(fold('evt.type = execve'), false);
  assert.equal(fold('evt.type in (open, openat) or proc.name = a'), true);
  assert.equal(fold('not not evt.type in (open, openat)'), true);
  // open and openat lead to different answers: both checks must stay
  const mixed = fold('(evt.type = open and proc.name = a) or (evt.type = openat and proc.name = b)');
  assert.ok(typeof mixed !== 'boolean' && mixed.kind === 'or');
  let typeChecks = 0;
  const walk = (p: Plan<TestEvent>): void => {
    if (p.kind === 'check') typeChecks += p.evttype ? 1 : 0;
    else if (p.kind === 'not') walk(p.child);
    else p.children.forEach(walk);
  };
  walk(mixed);
  assert.equal(typeChecks, 2);
  // a transformed or argument-bearing use of the type field is not a type check
  const t = fold('tolower(evt.type) = open and proc.name = a');
  assert.ok(typeof t !== 'boolean' && t.kind === 'and' && t.children.length === 2);
});

test('indexedEvaluate: specialized for the condition\'s own evttypes, generated once', () => {
  const c = compileCondition(parseCondition('evt.type in (open, openat) and proc.name = a'), ctx());
  assert.notEqual(c.evttypes, 'all');
  const indexed = c.indexedEvaluate();
  assert.notEqual(indexed, c.evaluate);
  assert.equal(c.indexedEvaluate(), indexed, 'generated once');
  assert.equal(indexed({ type: 'openat', name: 'a' }), true);
  assert.equal(indexed({ type: 'open', name: 'b' }), false);
  // the plain evaluator still checks the type itself
  assert.equal(c.evaluate({ type: 'execve', name: 'a' }), false);
  const all = compileCondition(parseCondition('proc.name = a'), ctx());
  assert.equal(all.evttypes, 'all');
  assert.equal(all.indexedEvaluate(), all.evaluate);
});

test('a condition too large to generate keeps the closure evaluator, with the same answers', () => {
  const macros: Record<string, string> = { m0: 'proc.name = a or proc.pid = 1' };
  for (let i = 1; i <= 14; i++) macros[`m${i}`] = `m${i - 1} and (m${i - 1} or evt.failed = true)`;
  const p = plan('m14', ctx(macros));
  assert.equal(generateEvaluator(p), undefined);
  const small = plan('m3', ctx(macros));
  assert.ok(generateEvaluator(small));
  const c = compileCondition(parseCondition('m14'), ctx(macros));
  assert.equal(c.evaluate({ type: 'open', name: 'a' }), true);
  assert.equal(c.evaluate({ type: 'open', name: 'b', pid: 2 }), false);
  assert.ok(MAX_GENERATED_CHECKS > 1000);
});

// --- randomized cross-check: closures, generated, generated + folded ---

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

const NAMES = ['a', 'b', 'bash', 'sh', 'Bash', ''];
const PATHS = ['/etc', '/etc/passwd', '/etcx', '/tmp/a.sh', '/tmp/x/y.sh', 'rel', '/', '/var/log/a.log'];
const TYPES = [...TEST_EVENT_TYPES];

function randomCheck(r: (n: number) => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)];
  const name = () => q(pick(NAMES));
  const path = () => q(pick(PATHS));
  const some = <T>(gen: () => T, max: number): T[] => Array.from({ length: r(max + 1) }, gen);
  switch (r(22)) {
    case 0:
      return `evt.type = ${pick(TYPES)}`;
    case 20:
      return `proc.name ${pick(['=', '!=', 'contains', 'startswith', 'endswith', 'icontains', 'glob'])} ${pick(['oneof', 'anyof', 'allof'])} (${some(name, 4).join(', ')})`;
    case 21:
      return `fd.name ${pick(['startswith', 'contains'])} ${pick(['oneof', 'anyof', 'allof'])} (${some(path, 3).join(', ')})`;
    case 1:
      return `evt.type != ${pick(TYPES)}`;
    case 2:
      return `evt.type in (${some(() => pick(TYPES), 4).join(', ')})`;
    case 3:
      return `proc.name ${pick(['=', '!=', 'contains', 'icontains', 'startswith', 'endswith'])} ${name()}`;
    case 4:
      return `proc.name in (${some(name, 10).join(', ')})`;
    case 5:
      return `fd.name glob ${q(pick(['/tmp/*.sh', '*', '/etc*', '*sh', '/t*p/*', '/etc', '/tmp/?.sh', '*/*/*.sh']))}`;
    case 6:
      return `fd.name pmatch (${some(path, 3).join(', ')})`;
    case 7:
      return `proc.pid ${pick(['=', '!=', '<', '<=', '>', '>='])} ${r(5) - 1}`;
    case 8:
      return `proc.pid in (${some(() => String(r(4)), 3).join(', ')})`;
    case 9:
      return `proc.tags ${pick(['in', 'intersects'])} (${some(name, 3).join(', ')})`;
    case 10:
      return `${pick(['proc.name', 'proc.tags', 'proc.pid', 'fd.name'])} exists`;
    case 11:
      return `fd.ip ${pick(['=', '!=', 'in'])} ${pick(['10.0.0.0/8', '10.1.2.3', '::1'])}`.replace('in ::1', 'in (::1, 192.168.0.0/16)');
    case 12:
      return `evt.failed ${pick(['=', '!='])} ${pick(['true', 'false'])}`;
    case 13:
      return `proc.name ${pick(['=', '!=', 'startswith'])} val(proc.pname)`;
    case 14:
      return pick(['tolower(proc.name) = bash', 'tolower(proc.name) in (bash, sh)', 'basename(fd.name) = a.sh']);
    case 15:
      return `evt.latency ${pick(['=', '<', '>'])} ${r(3)}`;
    case 16:
      return `proc.nums ${pick(['in', 'intersects'])} (${some(() => String(r(3)), 3).join(', ')})`;
    case 17:
      return `proc.cmdline ${pick(['bcontains', 'bstartswith'])} ${pick(['62', '6173', 'c3a9'])}`;
    case 18:
      return pick(['m_type', 'm_name', 'm_both']);
    default:
      return `fd.name ${pick(['startswith', 'endswith', 'contains'])} ${path()}`;
  }
}

function randomCondition(r: (n: number) => number, depth: number): string {
  if (depth === 0 || r(3) === 0) return randomCheck(r);
  switch (r(3)) {
    case 0:
      return `not (${randomCondition(r, depth - 1)})`;
    case 1:
      return Array.from({ length: 2 + r(3) }, () => `(${randomCondition(r, depth - 1)})`).join(' and ');
    default:
      return Array.from({ length: 2 + r(3) }, () => `(${randomCondition(r, depth - 1)})`).join(' or ');
  }
}

function randomEvent(r: (n: number) => number): TestEvent {
  const maybe = <T>(v: () => T): T | undefined => (r(5) === 0 ? undefined : v());
  const pick = <T>(xs: readonly T[]): T => xs[r(xs.length)];
  return {
    type: pick(TYPES),
    name: maybe(() => pick(NAMES)),
    pname: maybe(() => pick(NAMES)),
    cmdline: maybe(() => pick(['bash -c x', 'héllo', 'as', ''])),
    pid: maybe(() => r(5) - 1),
    tags: maybe(() => Array.from({ length: r(3) }, () => pick(NAMES))),
    nums: maybe(() => Array.from({ length: r(3) }, () => r(3))),
    fdName: maybe(() => pick(PATHS)),
    ip: maybe(() => pick(['10.1.2.3', '::1', '192.168.9.9', '8.8.8.8'])),
    failed: maybe(() => r(2) === 0),
    latency: maybe(() => BigInt(r(3))),
  };
}

test('randomized: generated and event-type-folded evaluators agree with the closure evaluator', () => {
  const r = rng(20240611);
  const c = ctx({ m_type: 'evt.type in (open, openat, execve)', m_name: 'proc.name in (bash, sh)', m_both: 'm_type and not m_name' });
  const events = Array.from({ length: 400 }, () => randomEvent(r));
  let folded = 0;
  let trueSeen = 0;
  for (let i = 0; i < 600; i++) {
    const cond = randomCondition(r, 3);
    const ast = parseCondition(cond);
    const { plan: p } = planCondition(ast, c);
    const reference = closureEvaluator(p);
    const generated = generateEvaluator(p);
    assert.ok(generated, `not generated: ${cond}`);
    const compiled = compileCondition(ast, c);
    const known = compiled.evttypes === 'all' ? undefined : compiled.evttypes;
    const specialized = known ? compiled.indexedEvaluate() : undefined;
    if (specialized && specialized !== compiled.evaluate) folded++;
    for (const e of events) {
      const want = reference(e);
      trueSeen += want ? 1 : 0;
      assert.equal(generated(e), want, `generated differs on ${cond} for ${JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
      assert.equal(compiled.evaluate(e), want, `compiled differs on ${cond}`);
      if (specialized && known!.has(e.type)) assert.equal(specialized(e), want, `folded differs on ${cond} for type ${e.type}`);
    }
  }
  // the cross-check exercised what it is meant to
  assert.ok(folded > 50, `only ${folded} conditions had event types to fold`);
  assert.ok(trueSeen > 10000, `only ${trueSeen} true results`);
});

test('with code generation disabled, conditions and buckets fall back to closures', () => {
  const engine = path.resolve(__dirname, '../../src/engine');
  const script = `
    const { parseCondition } = require(${JSON.stringify(engine + '/parser')});
    const { compileCondition } = require(${JSON.stringify(engine + '/compile')});
    const { bucketMatcher } = require(${JSON.stringify(engine + '/bucketMatcher')});
    const { testSource } = require(${JSON.stringify(path.resolve(__dirname, 'testSource'))});
    const c = compileCondition(parseCondition('evt.type = open and proc.name startswith ba'), { source: testSource, macros: new Map(), lists: new Map() });
    const out = [];
    bucketMatcher([c.evaluate, () => true], ['R1', 'R2'])({ type: 'open', name: 'bash' }, false, (r) => out.push(r));
    console.log(JSON.stringify({ generated: String(c.evaluate).startsWith('function evaluate'), out, no: c.evaluate({ type: 'open', name: 'sh' }) }));
  `;
  const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { generated: false, out: ['R1', 'R2'], no: false });
});

test('an or holding an or of hundreds of thousands of checks (an exception with many values) flattens without exhausting the stack', () => {
  const n = 300_000;
  const leaf = plan('proc.name = a');
  const wide: Plan<TestEvent> = { kind: 'or', children: Array.from({ length: n }, () => leaf) };
  const other = plan('proc.name = b');
  const folded = foldEvttypes({ kind: 'or', children: [wide, other] }, undefined, new Map());
  assert.ok(typeof folded !== 'boolean' && folded.kind === 'or');
  assert.equal(folded.children.length, n + 1);
  assert.equal(folded.children[n], other);
  // too large to generate: the caller keeps the closure evaluator
  assert.equal(generateEvaluator({ kind: 'or', children: [wide, other] }), undefined);
});
