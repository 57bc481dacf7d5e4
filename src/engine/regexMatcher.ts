// The `regex` operator as libsinsp evaluates it: RE2 with its POSIX option
// (egrep syntax: no Perl classes \d \s \w, no \b, no (?...) groups, no
// non-greedy repetition, ^ and $ also match at line breaks), matched against
// the whole value. RE2's automaton matches in time linear in the value
// whatever the pattern, so a crafted pattern cannot stall evaluation; re2js
// is RE2's JavaScript port.
import { RE2JS } from 're2js';

/** Why `pattern` is not one libs' RE2::POSIX accepts (the first reason), or undefined. */
function posixProblem(pattern: string): { at: number; why: string } | undefined {
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[i + 1];
      if (e !== undefined && 'dDsSwW'.includes(e)) return { at: i, why: `\\${e} is a Perl class, not POSIX syntax (write [[:digit:]], [[:space:]], [[:alnum:]_] ...)` };
      if (e !== undefined && !inClass && 'bBAzCQEpP'.includes(e)) return { at: i, why: `\\${e} is Perl syntax, not POSIX` };
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end > 0) i = end + 1;
      } else if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      // a ']' right after '[' or '[^' is a member, not the end
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') return { at: i, why: '(?...) groups and flags are Perl syntax, not POSIX' };
    if ((c === '*' || c === '+' || c === '?' || c === '}') && pattern[i + 1] === '?') {
      return { at: i + 1, why: 'non-greedy repetition is Perl syntax, not POSIX' };
    }
  }
  return undefined;
}

const META = new Set(['.', '[', ']', '(', ')', '|', '*', '+', '?', '{', '}', '^', '$', '\\']);
const ESCAPED_CONTROL: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' };

/**
 * The longest text every value the pattern matches must contain, found
 * conservatively: literal characters at the top level (outside groups and
 * classes) that no repetition makes optional, in a run; nothing when the
 * pattern has a top-level '|'. A value without it cannot match, which is
 * cheaper to learn from includes() than from the automaton.
 */
export function requiredLiteral(pattern: string): string {
  let best = '';
  let run = '';
  let depth = 0;
  const end = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    let lit: string | undefined;
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      i++;
      if (depth === 0) lit = ESCAPED_CONTROL[e] ?? (/[^A-Za-z0-9]/.test(e) ? e : undefined);
    } else if (c === '[') {
      // skip the class: a leading ']' (after an optional '^') is a member, [:name:] a class name
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        if (pattern[j] === '\\') j++;
        else if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const close = pattern.indexOf(':]', j + 2);
          if (close > 0) j = close + 1;
        }
      }
      i = j;
    } else if (c === '{') {
      // a repetition's bounds are not text
      const m = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
      if (m) i += m[0].length - 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return '';
    else if (depth === 0 && !META.has(c)) lit = c;
    const next = pattern[i + 1];
    if (lit === undefined || depth !== 0) {
      end();
      continue;
    }
    if (next === '*' || next === '?' || next === '{') {
      end();
      continue;
    }
    run += lit;
    if (next === '+') end();
  }
  end();
  return best;
}

/** A full-match test for `pattern`; throws an Error with the offset in the pattern when libs would refuse it. */
export function regexMatcher(pattern: string): { test: (s: string) => boolean } {
  const problem = posixProblem(pattern);
  if (problem) throw new RegexError(`invalid regex pattern at offset ${problem.at}: ${problem.why}`, problem.at);
  let re: ReturnType<typeof RE2JS.compile>;
  try {
    re = RE2JS.compile(pattern, RE2JS.MULTILINE);
  } catch (err) {
    throw new RegexError(`invalid regex pattern: ${(err as Error).message}`, 0);
  }
  const must = requiredLiteral(pattern);
  if (must.length < 2) return { test: (s) => re.matches(s) };
  return { test: (s) => s.includes(must) && re.matches(s) };
}

export class RegexError extends Error {
  constructor(
    message: string,
    /** offset in the pattern */
    readonly at: number,
  ) {
    super(message);
    this.name = 'RegexError';
  }
}
