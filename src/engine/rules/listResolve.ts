// Flattens lists: an item that names another list stands for that list's
// items, in place and in order; any other item is a literal string. A list
// that reaches itself again is an error naming the chain.
import { ConditionError, type RulesError } from '../errors';
import { MAX_LIST_ITEMS } from '../listItems';
import { quotedText } from '../parser';
import type { ListEntry } from './collect';
import { errorAt } from './sourceText';

export interface ResolvedLists {
  /** every list that resolved, flattened */
  items: Map<string, readonly string[]>;
  /** for each list, the other lists it includes (directly or not) */
  includes: Map<string, ReadonlySet<string>>;
}

export function resolveLists(lists: ReadonlyMap<string, ListEntry>, errors: RulesError[]): ResolvedLists {
  const items = new Map<string, readonly string[]>();
  const includes = new Map<string, ReadonlySet<string>>();
  const broken = new Set<string>();
  const chain: string[] = [];

  const visit = (name: string): boolean => {
    if (items.has(name)) return true;
    if (broken.has(name)) return false;
    const list = lists.get(name)!;
    chain.push(name);
    const out: string[] = [];
    const inc = new Set<string>();
    let ok = true;
    for (const item of list.items) {
      const ref = lists.get(item.text);
      if (!ref) {
        try {
          out.push(unquoted(item.text));
        } catch (err) {
          if (!(err instanceof ConditionError)) throw err;
          errors.push(errorAt(item.where, `list item ${item.text}: ${err.message}`, list.label));
          ok = false;
        }
        continue;
      }
      const at = chain.indexOf(item.text);
      if (at >= 0) {
        errors.push(errorAt(item.where, `list cycle: ${[...chain.slice(at), item.text].join(' -> ')}`, list.label));
        ok = false;
        continue;
      }
      if (!visit(item.text)) {
        ok = false;
        continue;
      }
      const inner = items.get(item.text)!;
      if (out.length + inner.length > MAX_LIST_ITEMS) {
        errors.push(errorAt(item.where, `list expands to more than ${MAX_LIST_ITEMS} items (${out.length + inner.length} at this item)`, list.label));
        ok = false;
        break;
      }
      // a loop, not push(...items): spreading a very long list overflows the stack
      for (const v of inner) out.push(v);
      inc.add(item.text);
      for (const n of includes.get(item.text)!) inc.add(n);
    }
    chain.pop();
    if (!ok) {
      broken.add(name);
      return false;
    }
    items.set(name, out);
    includes.set(name, inc);
    return true;
  };

  for (const name of lists.keys()) visit(name);
  return { items, includes };
}

/**
 * Falco splices list items into the condition text, so an item written with
 * its own quotes (`'"10.0.0.0/8"'`, as Falco's rules do) means what the
 * condition parser reads there: the text inside, escapes read
 * (`"node -e \"require('x')\""` is `node -e "require('x')"`).
 */
function unquoted(text: string): string {
  const q = text[0];
  if (text.length < 2 || (q !== '"' && q !== "'") || text[text.length - 1] !== q) return text;
  return quotedText(text);
}
