// IPv6 text form from eight hex groups, shared by the event decoder (addresses
// in socket parameters), the /proc/net reader (sockets open before start) and
// a capture's fd lists.

/**
 * Join eight lower-case hex groups (no leading zeros, `'0'` for zero) with
 * `:`, writing the longest run of two or more zero groups as `::` (the first
 * such run when two are equally long), e.g. `['0',…,'0','1']` -> `::1`.
 */
export function ipv6Text(groups: readonly string[]): string {
  let best = -1, bestLen = 0;
  for (let s = 0; s < 8; ) {
    if (groups[s] !== '0') { s++; continue; }
    let e = s;
    while (e < 8 && groups[e] === '0') e++;
    if (e - s > bestLen && e - s > 1) { best = s; bestLen = e - s; }
    s = e;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * The 16 bytes at `at` are ::ffff:a.b.c.d, or all zeros (an unbound end):
 * libs counts both as IPv4-mapped, and a tuple whose ends both are is an IPv4
 * connection (an IPv4 peer of a dual-stack socket).
 */
export function isV4Mapped(b: Uint8Array, at = 0): boolean {
  for (let k = 0; k < 10; k++) if (b[at + k] !== 0) return false;
  if (b[at + 10] === 0xff && b[at + 11] === 0xff) return true;
  for (let k = 10; k < 16; k++) if (b[at + k] !== 0) return false;
  return true;
}
