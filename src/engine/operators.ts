// One builder per operator and field type. Each runs once at compile time,
// converts its literals to the field's type, and returns a Check: the
// per-event predicate as a closure and, for the common operators, the same
// test as a JS expression for the generated evaluator (codegen.ts). The two
// are written side by side so they stay the same test. A missing value
// (undefined) makes every comparison false, `!=` included; only `exists`
// looks at presence.
import type { BinaryOp, Modifier, Pos } from './ast';
import type { Check, Emitter, Predicate } from './check';
import { ConditionError } from './errors';
import { globMatcher, type GlobMatch } from './glob';
import { RegexError, regexMatcher } from './regexMatcher';
import { globSegments, matchGlobSegments } from './globSegments';
import { addressKey, addressMatcher, networkMatcher } from './ipnet';
import type { Extractor, FieldType, Scalar, Value } from './source';
import { hexLiteral, typedLiteral, type ValueItem } from './typedLiteral';

/** Above this many items a membership test uses a Set rather than a chain of `===`. */
const MAX_INLINE_ITEMS = 8;

/** A compiled left (or `val()`) operand: the extractor and what it yields. */
export interface Operand<E> {
  extract: Extractor<E>;
  type: FieldType;
  isList: boolean;
  /** the extractor returns several values, and a check holds when it holds for any (FieldDef.anyWithoutArg) */
  any?: boolean;
  /** as written, for messages */
  display: string;
  pos: Pos;
}

const EQ: BinaryOp[] = ['=', '==', '!=', 'in', 'intersects'];
const ORDER: BinaryOp[] = ['<', '<=', '>', '>='];
const ALLOWED: Record<FieldType, ReadonlySet<BinaryOp>> = {
  string: new Set<BinaryOp>([...EQ, ...ORDER, 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'glob', 'iglob', 'pmatch', 'regex']),
  int: new Set([...EQ, ...ORDER]),
  port: new Set([...EQ, ...ORDER]),
  abstime: new Set([...EQ, ...ORDER]),
  reltime: new Set([...EQ, ...ORDER]),
  bool: new Set(EQ),
  ipaddr: new Set(EQ),
  ipnet: new Set(EQ),
  bytes: new Set<BinaryOp>(['=', '==', '!=', 'contains', 'startswith', 'endswith', 'bcontains', 'bstartswith']),
};

// List-valued fields follow libsinsp: `in` is true when every extracted value is
// in the set, `intersects` when any is, `exists` when there is at least one;
// other operators are refused. An empty list counts as missing.
const LIST_OPS: ReadonlySet<BinaryOp> = new Set(['in', 'intersects']);

function refuse(op: BinaryOp, o: Operand<unknown>, opPos: Pos): never {
  const what = o.isList ? `list field '${o.display}' (${o.type})` : `${o.type} field '${o.display}'`;
  const hint = o.isList ? "; list fields support only 'exists', 'in' and 'intersects'" : '';
  throw new ConditionError(`operator '${op}' does not apply to ${what}${hint}`, opPos);
}

function checkAllowed<E>(op: BinaryOp, o: Operand<E>, opPos: Pos): void {
  if (o.isList ? !LIST_OPS.has(op) || o.type === 'bytes' : !ALLOWED[o.type].has(op)) refuse(op, o as Operand<unknown>, opPos);
}

/** `exists`: the field has a value (a list: at least one element). */
export function existsCheck<E>(o: Operand<E>): Check<E> {
  const ex = o.extract;
  if (o.isList || o.any) {
    return {
      test: (e) => {
        const v = ex(e);
        return v !== undefined && (!Array.isArray(v) || v.length > 0);
      },
      emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && (!Array.isArray(v) || v.length > 0)`,
    };
  }
  return { test: (e) => ex(e) !== undefined, emit: (g) => `${g.ref(ex)}(e) !== undefined` };
}

/** A membership test over literal items, for `in`/`intersects` and list fields. */
function memberTest(type: FieldType, items: readonly ValueItem[], field: string): (v: Scalar) => boolean {
  if (type === 'ipaddr' || type === 'ipnet') {
    for (const it of items) typedLiteral(it, type, field);
    const m = type === 'ipaddr' ? addressMatcher(items.map((i) => i.value)) : networkMatcher(items.map((i) => i.value));
    return (v) => m(v as string);
  }
  const set = new Set<unknown>(items.map((it) => typedLiteral(it, type, field)));
  return (v) => set.has(v);
}

/** The check for `field op literal(s)`. `items` holds one item unless the operator takes a list. */
export function literalCheck<E>(o: Operand<E>, op: BinaryOp, opPos: Pos, items: readonly ValueItem[]): Check<E> {
  checkAllowed(op, o, opPos);
  const ex = o.extract;
  if (o.isList) {
    const has = memberTest(o.type, items, o.display);
    if (op === 'in') {
      const every = (v: Value): boolean => {
        if (!Array.isArray(v)) return has(v as Scalar);
        if (v.length === 0) return false;
        for (let i = 0; i < v.length; i++) if (!has(v[i])) return false;
        return true;
      };
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && every(v);
        },
        emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(every)}(v)`,
      };
    }
    const some = (v: Value): boolean => {
      if (!Array.isArray(v)) return has(v as Scalar);
      for (let i = 0; i < v.length; i++) if (has(v[i])) return true;
      return false;
    };
    return {
      test: (e) => {
        const v = ex(e);
        return v !== undefined && some(v);
      },
      emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(some)}(v)`,
    };
  }
  if (op === 'in' || op === 'intersects') {
    if (items.length === 0) return { test: () => false, emit: () => 'false' };
    if (items.length === 1 && o.type !== 'ipaddr' && o.type !== 'ipnet') return scalarCheck(o, '=', items[0]);
    if (o.type === 'ipaddr' || o.type === 'ipnet') {
      const has = memberTest(o.type, items, o.display);
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && has(v as Scalar);
        },
        emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(has)}(v)`,
      };
    }
    const values = [...new Set<unknown>(items.map((it) => typedLiteral(it, o.type, o.display)))];
    const set = new Set<unknown>(values);
    // Set.has is SameValueZero; for these literals (no NaN, bigints by value) that is `===`
    return {
      test: (e) => {
        const v = ex(e);
        return v !== undefined && set.has(v);
      },
      emit: (g) =>
        values.length <= MAX_INLINE_ITEMS
          ? `(v = ${g.ref(ex)}(e)) === ${values.map((x) => g.ref(x)).join(' || v === ')}`
          : `${g.ref(set)}.has(${g.ref(ex)}(e))`,
    };
  }
  if (op === 'pmatch') return pmatchCheck(ex, items);
  return scalarCheck(o, op, items[0]);
}

/**
 * `field op oneof|anyof|allof (items)`, as libs: `op` is tried against each
 * item; oneof holds when exactly one matches (a duplicate counts twice),
 * anyof when one or more do, allof when all do. No items, or no value, is false.
 */
export function modifierCheck<E>(o: Operand<E>, op: BinaryOp, modifier: Modifier, opPos: Pos, items: readonly ValueItem[]): Check<E> {
  checkAllowed(op, o, opPos);
  if (items.length === 0) return { test: () => false, emit: () => 'false' };
  const ex = o.extract;
  // the two forms that are set membership: `= anyof` is `in`, `!= allof` is "present and not in"
  const setForm = ALLOWED[o.type].has('in');
  if (setForm && (op === '=' || op === '==') && modifier === 'anyof') return literalCheck(o, 'in', opPos, items);
  if (setForm && op === '!=' && modifier === 'allof') {
    const member = literalCheck(o, 'in', opPos, items).test;
    return { test: (e) => ex(e) !== undefined && !member(e) };
  }
  if (o.type === 'string' && STRING_TESTS[op] !== undefined) return stringModifierCheck(ex, op, modifier, items.map((it) => it.value));
  // each item's check reads the value from a slot filled once per event
  let current: Value;
  const slot: Operand<E> = { ...o, any: false, extract: () => current };
  const tests = items.map((it) => scalarCheck(slot, op, it).test);
  const n = tests.length;
  let test: Predicate<E>;
  switch (modifier) {
    case 'oneof':
      test = (e) => {
        if ((current = ex(e)) === undefined) return false;
        let hits = 0;
        for (let i = 0; i < n; i++) if (tests[i](e) && ++hits > 1) return false;
        return hits === 1;
      };
      break;
    case 'anyof':
      test = (e) => {
        if ((current = ex(e)) === undefined) return false;
        for (let i = 0; i < n; i++) if (tests[i](e)) return true;
        return false;
      };
      break;
    case 'allof':
      test = (e) => {
        if ((current = ex(e)) === undefined) return false;
        for (let i = 0; i < n; i++) if (!tests[i](e)) return false;
        return true;
      };
      break;
  }
  return { test };
}

/** The plain string tests, as a method call on the value (`v.startsWith(x)`) or a comparison. */
const STRING_TESTS: Partial<Record<BinaryOp, { js: (x: string) => string; test: (v: string, x: string) => boolean }>> = {
  '=': { js: (x) => `v === ${x}`, test: (v, x) => v === x },
  '==': { js: (x) => `v === ${x}`, test: (v, x) => v === x },
  '!=': { js: (x) => `v !== ${x}`, test: (v, x) => v !== x },
  contains: { js: (x) => `v.includes(${x})`, test: (v, x) => v.includes(x) },
  startswith: { js: (x) => `v.startsWith(${x})`, test: (v, x) => v.startsWith(x) },
  endswith: { js: (x) => `v.endsWith(${x})`, test: (v, x) => v.endsWith(x) },
};

/** modifierCheck for the plain string tests: one read of the value, the items tested in line. */
function stringModifierCheck<E>(ex: Extractor<E>, op: BinaryOp, modifier: Modifier, xs: readonly string[]): Check<E> {
  const { js, test: one } = STRING_TESTS[op]!;
  const n = xs.length;
  let holds: (v: string) => boolean;
  switch (modifier) {
    case 'oneof':
      holds = (v) => {
        let hits = 0;
        for (let i = 0; i < n; i++) if (one(v, xs[i]) && ++hits > 1) return false;
        return hits === 1;
      };
      break;
    case 'anyof':
      holds = (v) => {
        for (let i = 0; i < n; i++) if (one(v, xs[i])) return true;
        return false;
      };
      break;
    case 'allof':
      holds = (v) => {
        for (let i = 0; i < n; i++) if (!one(v, xs[i])) return false;
        return true;
      };
      break;
  }
  const inline = n <= MAX_INLINE_ITEMS;
  return {
    test: (e) => {
      const v = ex(e);
      return v !== undefined && holds(v as string);
    },
    emit: (g) => {
      const head = `(v = ${g.ref(ex)}(e)) !== undefined`;
      if (!inline) return `${head} && ${g.ref(holds)}(v)`;
      const parts = xs.map((x) => js(g.ref(x)));
      if (modifier === 'oneof') return `${head} && ${parts.map((p) => `(${p} ? 1 : 0)`).join(' + ')} === 1`;
      return `${head} && (${parts.join(modifier === 'anyof' ? ' || ' : ' && ')})`;
    },
  };
}

function scalarCheck<E>(o: Operand<E>, op: BinaryOp, item: ValueItem): Check<E> {
  const ex = o.extract;
  switch (o.type) {
    case 'string':
      return stringCheck(ex, op, item);
    case 'bytes':
      return { test: bytesPredicate(ex, op, item) };
    case 'ipaddr':
    case 'ipnet': {
      typedLiteral(item, o.type, o.display);
      const m = o.type === 'ipaddr' ? addressMatcher([item.value]) : networkMatcher([item.value]);
      if (op === '!=') {
        return {
          test: (e) => {
            const v = ex(e);
            return v !== undefined && !m(v as string);
          },
          emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && !${g.ref(m)}(v)`,
        };
      }
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && m(v as string);
        },
        emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(m)}(v)`,
      };
    }
    default: {
      // numbers, bigints and booleans; `==` also equates a number and a bigint
      // of the same value, so a source's int/bigint choice cannot silently fail
      const lit = typedLiteral(item, o.type, o.display) as number | bigint | boolean;
      return orderedCheck(ex, op, lit);
    }
  }
}

function orderedCheck<E>(ex: Extractor<E>, op: BinaryOp, lit: number | bigint | boolean): Check<E> {
  const cmp = (js: string) => (g: Emitter) => `${g.ref(ex)}(e) ${js} ${g.ref(lit)}`;
  switch (op) {
    case '=':
    case '==':
      return { test: (e) => ex(e) == (lit as unknown as Value), emit: cmp('==') };
    case '!=':
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && v != (lit as unknown as Value);
        },
        emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && v != ${g.ref(lit)}`,
      };
    case '<':
      return { test: (e) => (ex(e) as number) < (lit as number), emit: cmp('<') };
    case '<=':
      return { test: (e) => (ex(e) as number) <= (lit as number), emit: cmp('<=') };
    case '>':
      return { test: (e) => (ex(e) as number) > (lit as number), emit: cmp('>') };
    case '>=':
      return { test: (e) => (ex(e) as number) >= (lit as number), emit: cmp('>=') };
    default:
      throw new Error(`internal: no ordered operator '${op}'`);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&');
}

/** `v` is present and `method(arg)` holds on it, e.g. `startsWith`. */
function stringMethod<E>(ex: Extractor<E>, method: 'includes' | 'startsWith' | 'endsWith', s: string): Check<E> {
  const test: Predicate<E> =
    method === 'includes'
      ? (e) => {
          const v = ex(e);
          return v !== undefined && (v as string).includes(s);
        }
      : method === 'startsWith'
        ? (e) => {
            const v = ex(e);
            return v !== undefined && (v as string).startsWith(s);
          }
        : (e) => {
            const v = ex(e);
            return v !== undefined && (v as string).endsWith(s);
          };
  return { test, emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && v.${method}(${g.ref(s)})` };
}

function regExpCheck<E>(ex: Extractor<E>, re: RegExp): Check<E> {
  return {
    test: (e) => {
      const v = ex(e);
      return v !== undefined && re.test(v as string);
    },
    emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(re)}.test(v)`,
  };
}

function globCheck<E>(ex: Extractor<E>, item: ValueItem, caseFold = false): Check<E> {
  // fnmatch takes any pattern: what it cannot use matches nothing (glob.ts)
  const match = globMatcher(item.value, caseFold);
  // the string-method fast path is exact, so iglob takes it only when folding cannot matter (no A-Z, a-z)
  const seg = caseFold && /[A-Za-z]/.test(item.value) ? undefined : globSegments(item.value);
  if (!seg) {
    return {
      test: (e) => {
        const v = ex(e);
        return v !== undefined && match(v as string);
      },
      emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(match)}(v)`,
    };
  }
  if (seg.length === 1) return stringCheck(ex, '=', { value: seg[0], pos: item.pos });
  const test: Predicate<E> = (e) => {
    const v = ex(e);
    return v !== undefined && matchGlobSegments(seg, v as string);
  };
  if (seg.length > 2) return { test, emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(matchGlobSegments)}(${g.ref(seg)}, v)` };
  const [first, last] = seg;
  const min = first.length + last.length;
  const parts = (g: Emitter) => [
    `(v = ${g.ref(ex)}(e)) !== undefined`,
    `v.length >= ${g.int(min)}`,
    ...(first ? [`v.startsWith(${g.ref(first)})`] : []),
    ...(last ? [`v.endsWith(${g.ref(last)})`] : []),
  ];
  return { test, emit: (g) => parts(g).join(' && ') };
}

function stringCheck<E>(ex: Extractor<E>, op: BinaryOp, item: ValueItem): Check<E> {
  const s = item.value;
  switch (op) {
    case '=':
    case '==':
      return { test: (e) => ex(e) === s, emit: (g) => `${g.ref(ex)}(e) === ${g.ref(s)}` };
    case '!=':
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && v !== s;
        },
        emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && v !== ${g.ref(s)}`,
      };
    case 'contains':
      return stringMethod(ex, 'includes', s);
    case 'startswith':
      return stringMethod(ex, 'startsWith', s);
    case 'endswith':
      return stringMethod(ex, 'endsWith', s);
    case 'icontains':
      return regExpCheck(ex, new RegExp(escapeRegExp(s), 'i'));
    case 'regex': {
      let m: { test: (s: string) => boolean };
      try {
        m = regexMatcher(s);
      } catch (err) {
        if (err instanceof RegexError) throw new ConditionError(err.message, item.pos);
        throw err;
      }
      const match = m.test;
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && match(v as string);
        },
        emit: (g) => `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(match)}(v)`,
      };
    }
    case 'glob':
      return globCheck(ex, item);
    case 'iglob':
      return globCheck(ex, item, true);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const holds = ORDER_TESTS[op];
      return {
        test: (e) => {
          const v = ex(e);
          return v !== undefined && holds(compareText(v as string, s));
        },
      };
    }
    case 'bcontains':
    case 'bstartswith': {
      const pattern = hexLiteral(item, op);
      const text = Buffer.from(pattern).toString('utf8');
      // a pattern that is whole UTF-8 text matches the bytes of a string exactly where it matches the string
      if (Buffer.from(text, 'utf8').equals(pattern)) return stringMethod(ex, op === 'bcontains' ? 'includes' : 'startsWith', text);
      const start = op === 'bstartswith';
      return {
        test: (e) => {
          const v = ex(e);
          if (v === undefined) return false;
          const b = Buffer.from(v as string, 'utf8');
          return start ? bytesStartWith(b, pattern) : bytesIndexOf(b, pattern) >= 0;
        },
      };
    }
    default:
      throw new Error(`internal: no string operator '${op}'`);
  }
}
const ORDER_TESTS: Record<'<' | '<=' | '>' | '>=', (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/**
 * Text order as libs' strcmp gives it on UTF-8: code point order. UTF-16
 * order differs from it only where a surrogate (a code point above U+FFFF)
 * meets a unit from U+E000 up, which it must then sort after.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

function bytesPredicate<E>(ex: Extractor<E>, op: BinaryOp, item: ValueItem): Predicate<E> {
  const pattern = op === 'bcontains' || op === 'bstartswith' ? hexLiteral(item, op) : (typedLiteral(item, 'bytes', '') as Uint8Array);
  let test: (b: Uint8Array) => boolean;
  switch (op) {
    case '=':
    case '==':
    case '!=':
      test = (b) => b.length === pattern.length && bytesStartWith(b, pattern);
      break;
    case 'contains':
    case 'bcontains':
      test = (b) => bytesIndexOf(b, pattern) >= 0;
      break;
    case 'startswith':
    case 'bstartswith':
      test = (b) => bytesStartWith(b, pattern);
      break;
    case 'endswith':
      test = (b) => b.length >= pattern.length && bytesStartWith(b.subarray(b.length - pattern.length), pattern);
      break;
    default:
      throw new Error(`internal: no bytes operator '${op}'`);
  }
  const negate = op === '!=';
  return (e) => {
    const v = ex(e);
    if (v === undefined) return false;
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : (v as Uint8Array);
    return test(b) !== negate;
  };
}

function bytesStartWith(b: Uint8Array, p: Uint8Array): boolean {
  if (b.length < p.length) return false;
  for (let i = 0; i < p.length; i++) if (b[i] !== p[i]) return false;
  return true;
}

function bytesIndexOf(b: Uint8Array, p: Uint8Array): number {
  if (p.length === 0) return 0;
  outer: for (let i = 0; i + p.length <= b.length; i++) {
    for (let j = 0; j < p.length; j++) if (b[i + j] !== p[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * `pmatch`, as libsinsp's path_prefix_search: patterns and value are split on
 * '/' with empty components dropped (`//etc/` is `etc`, and `etc` is `/etc`),
 * and the value matches when some pattern's components are a prefix of its
 * own (`/etc` matches `/etc/passwd`, not `/etcx` nor `/`). A pattern of no
 * components (`/`, `''`) matches every value. A component holding `*`, `?`
 * or `[` is a glob (fnmatch) on the value's component at that depth.
 */
function pmatchCheck<E>(ex: Extractor<E>, items: readonly ValueItem[]): Check<E> {
  const plain: string[] = [];
  const globbed: PathPattern[] = [];
  let matchAll = false;
  for (const it of items) {
    const comps = it.value.split('/').filter((c) => c !== '');
    if (comps.length === 0) matchAll = true;
    else if (comps.some((c) => /[*?[]/.test(c))) globbed.push(comps.map((c) => (/[*?[]/.test(c) ? globMatcher(c) : c)));
    else plain.push('/' + comps.join('/'));
  }
  if (matchAll) return { test: (e) => ex(e) !== undefined, emit: (g) => `${g.ref(ex)}(e) !== undefined` };
  // plain patterns are kept as "/a/b" and compared to the value as a string when it is already in that form
  const prefixes = [...new Set(plain)];
  const exact = new Set(prefixes);
  const underPlain = (v: string): boolean => {
    if (exact.has(v)) return true;
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i];
      if (v.length > p.length && v.charCodeAt(p.length) === 47 && v.startsWith(p)) return true;
    }
    return false;
  };
  // component by component, in place: no allocation for a value in any spelling
  const plainComps: PathPattern[] = prefixes.map((p) => p.split('/').filter((c) => c !== ''));
  const slow = (v: string): boolean => {
    for (let i = 0; i < plainComps.length; i++) if (pathPatternMatches(plainComps[i], v)) return true;
    for (let i = 0; i < globbed.length; i++) if (pathPatternMatches(globbed[i], v)) return true;
    return false;
  };
  // a hit on the value as written is a hit on its canonical form too (canonicalising only drops
  // empty components), so only a miss on a value not in /a/b form needs the slow path
  const below = (v: string): boolean => (prefixes.length > 0 && underPlain(v)) || ((globbed.length > 0 || notCanonicalLast(v)) && slow(v));
  return {
    test: (e) => {
      const v = ex(e) as string | undefined;
      return v !== undefined && below(v);
    },
    emit: (g) => {
      if (prefixes.length === 0 && globbed.length === 0) return 'false';
      if (globbed.length > 0 || prefixes.length > MAX_INLINE_ITEMS) return `(v = ${g.ref(ex)}(e)) !== undefined && ${g.ref(below)}(v)`;
      const eq = prefixes.map((p) => `v === ${g.ref(p)}`);
      const under = prefixes.map((p) => `(v.length > ${g.int(p.length)} && v.charCodeAt(${g.int(p.length)}) === 47 && v.startsWith(${g.ref(p)}))`);
      return `(v = ${g.ref(ex)}(e)) !== undefined && (${[...eq, ...under].join(' || ')} || (${g.ref(notCanonicalLast)}(v) && ${g.ref(slow)}(v)))`;
    },
  };
}

/** A pmatch pattern's components: literal text, or a glob on one component. */
type PathPattern = readonly (string | GlobMatch)[];

/** `/a/b` form: a leading '/', no empty component, no trailing '/' (so "/" itself is not). */
function isCanonicalPath(v: string): boolean {
  return v.length > 1 && v.charCodeAt(0) === 47 && v.charCodeAt(v.length - 1) !== 47 && v.indexOf('//') < 0;
}

// the last value asked about: every pmatch rule of an event asks about the same fd.name
let lastPath: string | undefined;
let lastNotCanonical = false;

/** Whether `v` is not in `/a/b` form, remembered for the last value. */
function notCanonicalLast(v: string): boolean {
  if (v !== lastPath) {
    lastPath = v;
    lastNotCanonical = !isCanonicalPath(v);
  }
  return lastNotCanonical;
}

/** Whether the value's first components match the pattern's, walking the value in place. */
function pathPatternMatches(pat: PathPattern, v: string): boolean {
  let i = 0;
  const n = v.length;
  for (let k = 0; k < pat.length; k++) {
    while (i < n && v.charCodeAt(i) === 47) i++;
    if (i === n) return false;
    let end = v.indexOf('/', i);
    if (end < 0) end = n;
    const c = pat[k];
    if (typeof c === 'string' ? end - i !== c.length || !v.startsWith(c, i) : !c(v, i, end)) return false;
    i = end;
  }
  return true;
}

const NO_VAL: ReadonlySet<BinaryOp> = new Set(['glob', 'iglob', 'pmatch', 'bcontains', 'bstartswith', 'regex']);

/** The check for `field op val(other)`: both fields come from the same event; generated code calls its closure. */
export function fieldCheck<E>(o: Operand<E>, op: BinaryOp, opPos: Pos, rhs: Operand<E>): Check<E> {
  return { test: fieldPredicate(o, op, opPos, rhs) };
}

function fieldPredicate<E>(o: Operand<E>, op: BinaryOp, opPos: Pos, rhs: Operand<E>): Predicate<E> {
  if (NO_VAL.has(op)) throw new ConditionError(`operator '${op}' cannot compare with val()`, opPos);
  const listOp = op === 'in' || op === 'intersects';
  if (!(o.type === rhs.type && (o.isList === rhs.isList || (listOp && !o.isList)))) {
    const t = (x: Operand<E>) => `${x.type}${x.isList ? ' list' : ''}`;
    throw new ConditionError(`field '${o.display}' (${t(o)}) cannot be compared with val(${rhs.display}) (${t(rhs)})`, rhs.pos);
  }
  checkAllowed(op, o, opPos);
  if (o.type === 'bytes' && op !== '=' && op !== '==' && op !== '!=') {
    throw new ConditionError(`operator '${op}' cannot compare bytes field '${o.display}' with val()`, opPos);
  }
  const lx = o.extract;
  const rx = rhs.extract;
  const norm = (v: Scalar): unknown =>
    o.type === 'ipaddr' ? addressKey(v as string) : v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v;
  if (listOp) {
    const every = op === 'in';
    return (e) => {
      const l = lx(e);
      const r = rx(e);
      if (l === undefined || r === undefined) return false;
      const rs = Array.isArray(r) ? (r as Scalar[]).map(norm) : [norm(r as Scalar)];
      const ls = Array.isArray(l) ? (l as Scalar[]) : [l as Scalar];
      if (ls.length === 0) return false;
      return every ? ls.every((x) => rs.includes(norm(x))) : ls.some((x) => rs.includes(norm(x)));
    };
  }
  const both = (f: (l: Scalar, r: Scalar) => boolean): Predicate<E> => (e) => {
    const l = lx(e);
    if (l === undefined) return false;
    const r = rx(e);
    return r !== undefined && f(l as Scalar, r as Scalar);
  };
  switch (op) {
    case '=':
    case '==':
      return both((l, r) => norm(l) == norm(r));
    case '!=':
      return both((l, r) => norm(l) != norm(r));
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const holds = ORDER_TESTS[op];
      if (o.type === 'string') return both((l, r) => holds(compareText(l as string, r as string)));
      return both((l, r) => holds(l < r ? -1 : l > r ? 1 : 0));
    }
    case 'contains':
      return both((l, r) => (l as string).includes(r as string));
    case 'icontains':
      return both((l, r) => (l as string).toLowerCase().includes((r as string).toLowerCase()));
    case 'startswith':
      return both((l, r) => (l as string).startsWith(r as string));
    case 'endswith':
      return both((l, r) => (l as string).endsWith(r as string));
    default:
      throw new ConditionError(`operator '${op}' cannot compare with val()`, opPos);
  }
}
