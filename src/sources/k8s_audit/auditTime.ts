// Audit timestamps: RFC 3339 with up to nanoseconds (`2024-05-01T10:00:00.123456Z`,
// offsets allowed). Parsed to nanoseconds since the epoch as bigint so no
// precision is lost past milliseconds. Every event's time is parsed, so the
// parser reads characters directly rather than through a RegExp.

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Nanoseconds since the epoch, or undefined when `text` is not an RFC 3339 time. */
export function parseRfc3339Ns(text: string): bigint | undefined {
  // YYYY-MM-DDTHH:MM:SS
  if (text.length < 20 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') return undefined;
  const sep = text[10];
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const min = digits(text, 14, 2);
  const sec = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60) return undefined;
  let i = 19;
  let frac = 0;
  if (text[i] === '.') {
    i++;
    let scale = 100_000_000;
    const start = i;
    for (; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      frac += d * scale;
      scale = (scale / 10) | 0;
    }
    if (i === start) return undefined;
  }
  let ms = Date.UTC(year, month - 1, day, hour, min, sec);
  const zone = text[i];
  if ((zone === 'Z' || zone === 'z') && i + 1 === text.length) {
    // UTC
  } else if ((zone === '+' || zone === '-') && i + 6 === text.length && text[i + 3] === ':') {
    const oh = digits(text, i + 1, 2);
    const om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0) return undefined;
    ms -= (oh * 60 + om) * 60_000 * (zone === '-' ? -1 : 1);
  } else return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(frac);
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
