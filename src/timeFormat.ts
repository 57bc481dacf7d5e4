// The three ways Falco prints an event time (nanoseconds since the epoch): in
// alerts (outputs/) and in the evt.time fields of sources, so it sits below both.

const NS = 1_000_000_000n;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function fraction(ns: bigint, secs: bigint): string {
  return pad(Number(ns - secs * NS), 9);
}

/**
 * The text of whole seconds, remembered for the last second seen: alerts come
 * in bursts from the same second, and Date's calendar (above all local time) is
 * the costly part of formatting a time.
 */
class SecondsText {
  private secs = -1n;
  private text = '';

  constructor(private readonly format: (date: Date) => string) {}

  of(secs: bigint): string {
    if (secs !== this.secs) {
      this.text = this.format(new Date(Number(secs) * 1000));
      this.secs = secs;
    }
    return this.text;
  }
}

const localClock = new SecondsText((d) => `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`);
const utcDateTime = new SecondsText(
  (d) =>
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`,
);

/** `HH:MM:SS.nnnnnnnnn` in local time: the text alert prefix. */
export function clockTime(ns: bigint): string {
  const secs = ns / NS;
  return `${localClock.of(secs)}.${fraction(ns, secs)}`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000`: the text prefix with time_format_iso_8601. */
export function iso8601(ns: bigint): string {
  const secs = ns / NS;
  return `${utcDateTime.of(secs)}.${fraction(ns, secs)}+0000`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (RFC 3339 in UTC): the JSON alert's `time`. */
export function rfc3339(ns: bigint): string {
  const secs = ns / NS;
  return `${utcDateTime.of(secs)}.${fraction(ns, secs)}Z`;
}
