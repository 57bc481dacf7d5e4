// The three ways Falco prints an event time (nanoseconds since the epoch).

const NS = 1_000_000_000n;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function split(ns: bigint): { date: Date; frac: string } {
  const secs = ns / NS;
  return { date: new Date(Number(secs) * 1000), frac: pad(Number(ns - secs * NS), 9) };
}

/** `HH:MM:SS.nnnnnnnnn` in local time: the text alert prefix. */
export function clockTime(ns: bigint): string {
  const { date, frac } = split(ns);
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${frac}`;
}

function utcDateTime(date: Date): string {
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`
  );
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`: the text prefix with time_format_iso_8601. */
export function iso8601(ns: bigint): string {
  const { date, frac } = split(ns);
  return `${utcDateTime(date)}.${frac}+0000`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (RFC 3339 in UTC): the JSON alert's `time`. */
export function rfc3339(ns: bigint): string {
  const { date, frac } = split(ns);
  return `${utcDateTime(date)}.${frac}Z`;
}
