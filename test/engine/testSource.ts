// A small in-memory event source for engine tests: plain objects, one field of
// each kind the engine must handle (every value type, lists, index, key and
// dotted arguments) and an `evt.type` event-type field.
import type { Extractor, FieldDef, FieldType, Source, Value } from '../../src/engine/source';

export interface TestEvent {
  type: string;
  time?: bigint;
  latency?: bigint;
  failed?: boolean;
  name?: string;
  pname?: string;
  cmdline?: string;
  pid?: number;
  ppid?: number;
  /** ancestors' names, parent first */
  ancestors?: string[];
  tags?: string[];
  nums?: number[];
  fdName?: string;
  ip?: string;
  rip?: string;
  net?: string;
  sport?: number;
  ips?: string[];
  /** `evt.arg.NAME` / `evt.arg[NAME]` */
  args?: Record<string, string>;
  /** `ka.uri.param[KEY]` */
  params?: Record<string, string>;
  buffer?: Uint8Array;
}

export const TEST_EVENT_TYPES = ['open', 'openat', 'openat2', 'execve', 'connect', 'accept', 'close', 'read', 'write', 'clone'] as const;

function plain(name: string, type: FieldType, get: (e: TestEvent) => Value, isList = false): FieldDef<TestEvent> {
  return { name, type, desc: `test field ${name}`, isList, bind: () => get };
}

/** Argument binders record their calls so tests can check binding happens once, at compile time. */
export const bindCalls: string[] = [];

export const testFields: FieldDef<TestEvent>[] = [
  plain('evt.type', 'string', (e) => e.type),
  plain('evt.time', 'abstime', (e) => e.time),
  plain('evt.latency', 'reltime', (e) => e.latency),
  plain('evt.failed', 'bool', (e) => e.failed),
  plain('evt.buffer', 'bytes', (e) => e.buffer),
  plain('proc.name', 'string', (e) => e.name),
  plain('proc.pname', 'string', (e) => e.pname),
  plain('proc.cmdline', 'string', (e) => e.cmdline),
  plain('proc.pid', 'int', (e) => e.pid),
  plain('proc.ppid', 'int', (e) => e.ppid),
  plain('proc.tags', 'string', (e) => e.tags, true),
  plain('proc.nums', 'int', (e) => e.nums, true),
  plain('fd.name', 'string', (e) => e.fdName),
  plain('fd.ip', 'ipaddr', (e) => e.ip),
  plain('fd.rip', 'ipaddr', (e) => e.rip),
  plain('fd.net', 'ipnet', (e) => e.net),
  plain('fd.sport', 'port', (e) => e.sport),
  plain('fd.ips', 'ipaddr', (e) => e.ips, true),
  {
    name: 'proc.aname',
    type: 'string',
    desc: 'name of the Nth ancestor (1 = parent)',
    arg: { required: true, form: 'index' },
    bind(arg): Extractor<TestEvent> {
      bindCalls.push(`proc.aname[${arg}]`);
      const n = Number(arg);
      if (n < 1 || n > 20) throw new Error(`ancestor index must be 1-20, got ${arg}`);
      return (e) => e.ancestors?.[n - 1];
    },
  },
  {
    name: 'evt.arg',
    type: 'string',
    desc: 'an argument of the event by name',
    arg: { required: true, form: 'key', dotted: true },
    bind(arg): Extractor<TestEvent> {
      bindCalls.push(`evt.arg[${arg}]`);
      const key = arg!;
      return (e) => e.args?.[key];
    },
  },
  {
    name: 'ka.uri.param',
    type: 'string',
    desc: 'a query parameter by key',
    arg: { required: true, form: 'key' },
    bind(arg): Extractor<TestEvent> {
      const key = arg!;
      return (e) => e.params?.[key];
    },
  },
];

export const testSource: Source<TestEvent> = {
  name: 'test',
  fields: testFields,
  eventTypeField: 'evt.type',
  eventTypes: TEST_EVENT_TYPES,
  eventType: (e) => e.type,
  time: (e) => e.time ?? 0n,
};

/** The same fields with no event-type field: every rule lands in the catch-all list. */
export const untypedTestSource: Source<TestEvent> = {
  name: 'test_untyped',
  fields: testFields,
  time: (e) => e.time ?? 0n,
};
