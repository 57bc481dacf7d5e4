// Audit timestamps: RFC 3339 with up to nanoseconds (`2024-05-01T10:00:00.123456Z`,
// offsets allowed). Parsed to nanoseconds since the epoch as bigint so no
// precision is lost past milliseconds.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9})\d*)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Nanoseconds since the epoch, or undefined when `text` is not an RFC 3339 time. */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  let ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number.isNaN(ms)) return undefined;
  if (!m[8]) {
    const offsetMin = (+m[10] * 60 + +m[11]) * (m[9] === '-' ? -1 : 1);
    ms -= offsetMin * 60_000;
  }
  const frac = m[7] ? BigInt(m[7].padEnd(9, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + frac;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function split(ns: bigint): { date: Date; frac: string } {
  let secs = ns / 1_000_000_000n;
  let rem = ns % 1_000_000_000n;
  if (rem < 0n) {
    rem += 1_000_000_000n;
    secs -= 1n;
  }
  return { date: new Date(Number(secs) * 1000), frac: pad(Number(rem), 9) };
}

/** `HH:MM:SS.nnnnnnnnn` in UTC, the way Falco prints `jevt.time`. */
export function formatClockNs(ns: bigint): string {
  const { date, frac } = split(ns);
  return `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}.${frac}`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`. */
export function formatIsoNs(ns: bigint): string {
  const { date, frac } = split(ns);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}T${formatClockNs(ns).slice(0, 8)}.${frac}Z`;
}
