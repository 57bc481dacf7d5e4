// getopt(3)'s short-option scan as libsinsp's getopt() transformer defines
// it: an optstring of option characters, each followed by ':' when it takes a
// value (a leading ':' and a second ':' are ignored); the scan stops at "--"
// or at the first word that is not an option, skips long options ("--exec"),
// and reads clusters ("-nt value"). Unknown options give "?", an option whose
// value is missing gives "".

export interface OptSpec {
  valid: ReadonlySet<string>;
  withValue: ReadonlySet<string>;
}

export function parseOptstring(optstring: string): OptSpec {
  const valid = new Set<string>();
  const withValue = new Set<string>();
  for (let i = optstring.startsWith(':') ? 1 : 0; i < optstring.length; i++) {
    const c = optstring[i];
    if (c === ':') continue;
    valid.add(c);
    if (optstring[i + 1] === ':') {
      withValue.add(c);
      i++;
    }
  }
  return { valid, withValue };
}

/**
 * Without `selector`: every option character met, each followed by its value
 * when it takes one. With it: the value of the last `-selector` (the option
 * character itself when it takes no value), or undefined when there is none.
 */
export function scanOptions(argv: readonly string[], spec: OptSpec, selector?: string): string[] | string | undefined {
  const out: string[] = [];
  let selected: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const word = argv[k];
    if (word === '--') break;
    if (word.length > 2 && word[0] === '-' && word[1] === '-') continue;
    if (word.length < 2 || word[0] !== '-') break;
    for (let i = 1; i < word.length; i++) {
      const c = word[i];
      if (c === ':' || !spec.valid.has(c)) {
        if (selector === undefined) out.push('?');
        continue;
      }
      const wanted = selector === undefined || c === selector;
      if (!spec.withValue.has(c)) {
        if (!wanted) continue;
        if (selector === undefined) out.push(c);
        else selected = c;
        continue;
      }
      // the value is the rest of this word, else the next word
      let value: string | undefined;
      if (i + 1 < word.length) value = word.slice(i + 1);
      else if (k + 1 < argv.length) value = argv[++k];
      if (wanted) {
        if (selector !== undefined) selected = value ?? '';
        else if (value === undefined) out.push('');
        else out.push(c, value);
      }
      break;
    }
  }
  return selector === undefined ? out : selected;
}
