// The interface every event source (syscall, k8s_audit, test sources) gives the
// engine. The engine knows nothing else about events: it resolves field names
// against `fields`, binds each field's argument once at compile time, and calls
// the bound extractor per event.

/**
 * Field value types, after Falco's:
 * - string: text (CHARBUF)
 * - int: a signed or unsigned integer that fits a JS number (UINT32, INT64 counts, pids...)
 * - abstime / reltime: nanoseconds as bigint (absolute since the epoch / relative)
 * - bool
 * - ipaddr: an IPv4/IPv6 address as text; compares as an address, `in`/`=` with CIDR networks
 * - ipnet: a network (CIDR text)
 * - port: an integer 0-65535
 * - bytes: a Uint8Array (BYTEBUF), for bcontains/bstartswith
 */
export type FieldType = 'string' | 'int' | 'abstime' | 'reltime' | 'bool' | 'ipaddr' | 'ipnet' | 'port' | 'bytes';

export type Scalar = string | number | bigint | boolean | Uint8Array;

/** What an extractor returns. `undefined` means the event has no value for the field. */
export type Value = Scalar | readonly Scalar[] | undefined;

export type Extractor<E> = (evt: E) => Value;

export interface FieldArgSpec {
  /** the field is unusable without an argument (`jevt.value[/x]`) */
  required: boolean;
  /** 'index' takes a number (`proc.aname[2]`); 'key' takes any text (`ka.uri.param[pretty]`) */
  form: 'index' | 'key';
  /** also accepted as a dotted suffix: `evt.arg.name` means `evt.arg[name]` */
  dotted?: boolean;
  desc?: string;
}

/**
 * How Falco's k8s audit engine before list fields (0.13 to 0.30) read a list
 * field with a single-value operator (`contains`, `=`, `startswith`...),
 * which its rules of that time used. '0.13': the field was one string, this
 * rendering of it (missing: "<NA>"), compared as text. '0.30': the field's
 * values as `bind` gives them (missing: one "<NA>"); `=` holds when the set
 * of values is exactly the literal, `contains`/`startswith`/`<`... when there
 * is exactly one value and it holds for that value.
 */
export type LegacyListForm<E> = { era: '0.13'; text(arg: string | undefined): Extractor<E> } | { era: '0.30' };

export interface FieldDef<E> {
  /** full name, e.g. `proc.name` */
  name: string;
  type: FieldType;
  desc: string;
  /** the value is a list (each element of `type`); `in` and `intersects` work element-wise */
  isList?: boolean;
  /**
   * Without an argument the extractor returns several values and a comparison
   * holds when it holds for any of them (Falco's `proc.aname = sshd`: some
   * ancestor is sshd); with one (`proc.aname[2]`) it is a single value.
   */
  anyWithoutArg?: boolean;
  arg?: FieldArgSpec;
  /** not shown by `--list` (aliases) */
  hidden?: boolean;
  /** list fields only: the seed-era meaning of single-value operators on it (else they are refused) */
  legacy?: LegacyListForm<E>;
  /**
   * Bind the argument (undefined when none was written) and return the
   * per-event extractor. Called once per use at compile time. Throws an Error
   * whose message says what is wrong with the argument.
   */
  bind(arg: string | undefined): Extractor<E>;
}

export interface Source<E> {
  /** the name rules use in `source:`, e.g. `syscall`, `k8s_audit` */
  readonly name: string;
  readonly fields: readonly FieldDef<E>[];
  /**
   * The field whose comparisons select event types (`evt.type` for syscalls).
   * Sources without one put every rule in the catch-all list.
   */
  readonly eventTypeField?: string;
  /** every event type name the source can produce (the universe for `not`/`!=`) */
  readonly eventTypes?: readonly string[];
  /**
   * Every name eventTypeField may be compared with, when the source checks
   * them (Falco's syscall source: any event or syscall libs knows, more than
   * it produces). Comparing the field with any other value fails the rule
   * with "unknown event type", as a typo would otherwise never match.
   */
  readonly knownEventTypes?: ReadonlySet<string>;
  /**
   * Warn about rules whose condition does not restrict eventTypeField (Falco
   * does for syscalls, where such a rule runs on every event). Default true.
   */
  readonly eventTypeWarnings?: boolean;
  /**
   * The event's type name, the value of eventTypeField; required when that
   * is set. Undefined when the event has none: only rules that do not
   * restrict the field are tried.
   */
  eventType?(evt: E): string | undefined;
  /** the event's time, nanoseconds since the epoch */
  time(evt: E): bigint;
  /**
   * Falco plugins whose fields this source has built in, with the plugin
   * version whose fields it has: a `required_plugin_versions` entry naming
   * one is met when that version satisfies it (same major, not older).
   */
  readonly plugins?: Readonly<Record<string, string>>;
  /**
   * Fields appended to every rule output of this source when the
   * configuration asks for suggested output (Falco's plugins suggest them).
   */
  readonly suggestedOutputFields?: readonly string[];
}
