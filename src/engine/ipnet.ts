// IPv4/IPv6 addresses and CIDR networks for ipaddr and ipnet comparisons.
// Literals are parsed once at compile time; event values are parsed per
// check, with an allocation-free path for IPv4 (the common case).

/** An IPv4 address as an unsigned 32-bit number, or -1 when `text` is not one. */
export function parseIPv4(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let result = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // no leading zeros ("01"), which some parsers read as octal
      if (digits === 1 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      result = result * 256 + part;
      part = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return result * 256 + part;
}

/** An IPv6 address as eight 16-bit groups, or undefined when `text` is not one. */
export function parseIPv6(text: string): number[] | undefined {
  if (!text.includes(':')) return undefined;
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (v4 < 0) return undefined;
    tail = [Math.floor(v4 / 65536), v4 % 65536];
    // drop the dotted part and its colon, but keep a "::" that precedes it
    s = s[lastColon - 1] === ':' ? s.slice(0, lastColon + 1) : s.slice(0, lastColon);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length + tail.length;
  if (halves.length === 1) {
    if (total !== 8) return undefined;
    return [...head, ...tail];
  }
  if (total > 7) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail];
}

/** A network: the address's bits above `prefix` must match `base`. */
export interface IpNet {
  v6: boolean;
  /** IPv4: one number; IPv6: eight 16-bit groups */
  base: number | number[];
  prefix: number;
}

/** `10.0.0.0/8`, `fe80::/10`; undefined when `text` is not a CIDR network. */
export function parseCidr(text: string): IpNet | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  const v4 = parseIPv4(addr);
  if (v4 >= 0) {
    if (prefix > 32) return undefined;
    return { v6: false, base: maskV4(v4, prefix), prefix };
  }
  const v6 = parseIPv6(addr);
  if (!v6 || prefix > 128) return undefined;
  return { v6: true, base: maskV6(v6, prefix), prefix };
}

function maskV4(addr: number, prefix: number): number {
  if (prefix === 0) return 0;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (addr & mask) >>> 0;
}

function maskV6(groups: number[], prefix: number): number[] {
  return groups.map((g, i) => {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    return bits === 0 ? 0 : g & ((0xffff << (16 - bits)) & 0xffff);
  });
}

/** Whether the IPv4 address is inside the IPv4 network. */
export function v4InNet(addr: number, net: IpNet): boolean {
  return maskV4(addr, net.prefix) === net.base;
}

export function v6InNet(groups: number[], net: IpNet): boolean {
  const masked = maskV6(groups, net.prefix);
  const base = net.base as number[];
  for (let i = 0; i < 8; i++) if (masked[i] !== base[i]) return false;
  return true;
}

/** One canonical text per IPv6 address, for set membership. */
export function v6Key(groups: number[]): string {
  return groups.map((g) => g.toString(16)).join(':');
}

/**
 * A test "is this address one of these addresses or inside one of these
 * networks", built once from literal items. Throws an Error naming the first
 * item that is neither an address nor a network.
 */
export function addressMatcher(items: readonly string[]): (text: string) => boolean {
  const v4 = new Set<number>();
  const v6 = new Set<string>();
  const nets4: IpNet[] = [];
  const nets6: IpNet[] = [];
  for (const item of items) {
    const a4 = parseIPv4(item);
    if (a4 >= 0) {
      v4.add(a4);
      continue;
    }
    const a6 = parseIPv6(item);
    if (a6) {
      v6.add(v6Key(a6));
      continue;
    }
    const net = parseCidr(item);
    if (!net) throw new Error(`'${item}' is not an IP address or CIDR network`);
    (net.v6 ? nets6 : nets4).push(net);
  }
  return (text) => {
    const a = parseIPv4(text);
    if (a >= 0) {
      if (v4.has(a)) return true;
      for (let i = 0; i < nets4.length; i++) if (v4InNet(a, nets4[i])) return true;
      return false;
    }
    if (v6.size === 0 && nets6.length === 0) return false;
    const g = parseIPv6(text);
    if (!g) return false;
    if (v6.has(v6Key(g))) return true;
    for (const net of nets6) if (v6InNet(g, net)) return true;
    return false;
  };
}

/**
 * A test "does this network (the event's CIDR text) contain one of these
 * addresses or equal one of these networks", built once from literal items.
 */
export function networkMatcher(items: readonly string[]): (netText: string) => boolean {
  const addrs4: number[] = [];
  const addrs6: number[][] = [];
  const nets: IpNet[] = [];
  for (const item of items) {
    const a4 = parseIPv4(item);
    if (a4 >= 0) {
      addrs4.push(a4);
      continue;
    }
    const a6 = parseIPv6(item);
    if (a6) {
      addrs6.push(a6);
      continue;
    }
    const net = parseCidr(item);
    if (!net) throw new Error(`'${item}' is not an IP address or CIDR network`);
    nets.push(net);
  }
  return (netText) => {
    const net = parseCidr(netText);
    if (!net) return false;
    if (net.v6) {
      for (const a of addrs6) if (v6InNet(a, net)) return true;
    } else {
      for (const a of addrs4) if (v4InNet(a, net)) return true;
    }
    for (const other of nets) if (sameNet(net, other)) return true;
    return false;
  };
}

function sameNet(a: IpNet, b: IpNet): boolean {
  if (a.v6 !== b.v6 || a.prefix !== b.prefix) return false;
  if (!a.v6) return a.base === b.base;
  const x = a.base as number[];
  const y = b.base as number[];
  for (let i = 0; i < 8; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A canonical text for an address (for comparing two fields), or undefined. */
export function addressKey(text: string): string | undefined {
  const a = parseIPv4(text);
  if (a >= 0) return String(a);
  const g = parseIPv6(text);
  return g ? v6Key(g) : undefined;
}
