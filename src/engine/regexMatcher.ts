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
  return { test: (s) => re.matches(s) };
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
