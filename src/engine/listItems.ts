// The items of a list operand after list expansion: an unquoted item that
// names a list is replaced by that list's items (already flattened by the
// loader); anything else is a value as written.
import type { ListLiteral, Literal } from './ast';
import type { ValueItem } from './typedLiteral';

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
    for (const v of named) out.push({ value: v, pos: item.pos });
  }
  return out;
}

export function expandList(list: ListLiteral, lists: ReadonlyMap<string, readonly string[]>, usedLists?: Set<string>): ValueItem[] {
  return expandListItems(list.items, lists, usedLists);
}
