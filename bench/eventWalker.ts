// What bench:capture does to every captured event, so "decoded" means what a
// rule engine at least pays: the header (type, tid), the fd or return value,
// and the path text of file events (a real string, as fd.name needs one).
// Parameter positions are looked up once per event code, not per event.
import { EventView, forEachEvent } from '../src/sources/syscall/decode';
import { EVENTS } from '../src/sources/syscall/eventTable';

const PATH_TYPES = new Set(['FSPATH', 'FSRELPATH']);

/** per event code: index of the first path parameter, or -1 */
const PATH_PARAM = new Int8Array(EVENTS.length).fill(-1);
for (const info of EVENTS) {
  if (!info) continue;
  PATH_PARAM[info.code] = info.params.findIndex((p) => PATH_TYPES.has(p.type));
}

export interface EventWalker {
  /** decode the batch's events; returns how many there were */
  walk(view: EventView, length: number): number;
  events: number;
  /** events by event code (codes past the table count under the last slot) */
  byType: Float64Array;
  /** events that carried a path, and their total length (proof the text was read) */
  paths: number;
  pathChars: number;
  /** a sum over the headers and fds, so none of the reads can be skipped */
  checksum: number;
}

/** events by evt.type name and direction ("close<" for an exit event), most first */
export function typeCounts(byType: Float64Array): [string, number][] {
  const out: [string, number][] = [];
  byType.forEach((n, code) => {
    if (n === 0) return;
    const info = EVENTS[code];
    out.push([info ? `${info.name}${info.dir}` : `code ${code}`, n]);
  });
  return out.sort((a, b) => b[1] - a[1]);
}

/** tap: also called with every decoded event (for attributing a few events; keep it cheap) */
export function eventWalker(tap?: (v: EventView) => void): EventWalker {
  const last = EVENTS.length;
  const w: EventWalker = { walk, events: 0, byType: new Float64Array(last + 1), paths: 0, pathChars: 0, checksum: 0 };
  const visit = (v: EventView): void => {
    const type = v.type;
    w.byType[type < last ? type : last]++;
    w.checksum = (w.checksum + type + v.tid + (v.int(0) ?? 0)) % 1e15;
    const p = type < PATH_PARAM.length ? PATH_PARAM[type] : -1;
    if (p >= 0) {
      const s = v.str(p);
      if (s !== undefined) {
        w.paths++;
        w.pathChars += s.length;
      }
    }
    if (tap) tap(v);
  };
  function walk(view: EventView, length: number): number {
    const n = forEachEvent(view, length, visit);
    w.events += n;
    return n;
  }
  return w;
}
