// The items of a list operand after list expansion: an unquoted item that
// names a list is replaced by that list's items (already flattened by the
// loader); anything else is a value as written.
import type { ListLiteral, Literal } from './ast';
import { ConditionError } from './errors';
import type { ValueItem } from './typedLiteral';

/**
 * Values one list operand or one list may hold once the lists it names are
 * expanded: `l1: [l0, l0]`, `l2: [l1, l1]`... doubles per level, and the
 * engine builds a set of every value. Falco's own lists hold a few hundred;
 * lists of hundreds of thousands written out must still load.
 */
export const MAX_LIST_ITEMS = 1_000_000;

export function expandListItems(
  items: readonly Literal[],
  lists: ReadonlyMap<string, readonly string[]>,
  usedLists?: Set<string>,
): ValueItem[] {
  const out: ValueItem[] = [];
  for (const item of items) {
    const named = item.quoted ? undefined : lists.get(item.value);
    if (named === undefined) {
      out.push({ value: item.value, pos: item.pos });
      continue;
    }
    usedLists?.add(item.value);
    if (out.length + named.length > MAX_LIST_ITEMS) {
      throw new ConditionError(`list operand expands to more than ${MAX_LIST_ITEMS} values (${out.length + named.length} at this item)`, item.pos);
    }
    for (const v of named) out.push({ value: v, pos: item.pos });
  }
  return out;
}

export function expandList(list: ListLiteral, lists: ReadonlyMap<string, readonly string[]>, usedLists?: Set<string>): ValueItem[] {
  return expandListItems(list.items, lists, usedLists);
}
