// Comparing Vigil's %evt.args with sysdig's for the same recorded events,
// parameter by parameter, where the only differences allowed are the ones
// between sysdig 0.29's libs (March 2022) and today's libs, which Vigil
// follows; each has a name, counted for the test's report.
import { EVENT_LIST, type ParamType } from '../../../../src/sources/syscall/eventTable';

export const ARGS_FORMAT = '%evt.rawtime %thread.tid %evt.dir %evt.type %evt.args';

export interface ArgsComparison {
  /** events of the compared types found in both readings */
  events: number;
  /** parameters compared, and those that agree exactly */
  params: number;
  same: number;
  /** allowed differences, by name */
  allowed: Map<string, number>;
  /** differences nothing explains: `type name: vigil … / sysdig …` */
  diffs: string[];
}

/** the parameter names of `type` in direction `dir`, in order */
function paramsOf(type: string, dir: string): { name: string; type: ParamType }[] {
  const e = EVENT_LIST.find((x) => x.name === type && x.dir === dir);
  return e ? [...e.params] : [];
}

/**
 * `name=value` pairs of an evt.args text, found by the event's own names in
 * order (a value may hold spaces and `=`); stops at the first name not there,
 * as sysdig 0.29 prints only the parameters its older table has.
 */
export function splitArgs(text: string, names: readonly string[], aliases: Readonly<Record<string, string>> = {}): Map<string, string> {
  const out = new Map<string, string>();
  let at = 0;
  const named = (k: number): string => aliases[names[k]] ?? names[k];
  for (let k = 0; k < names.length; k++) {
    const head = `${named(k)}=`;
    if (!text.startsWith(head, at)) break;
    const start = at + head.length;
    let end = text.length;
    for (let j = k + 1; j < names.length; j++) {
      const next = text.indexOf(` ${named(j)}=`, start);
      if (next >= 0) {
        end = next;
        break;
      }
    }
    out.set(names[k], text.slice(start, end));
    at = end + 1;
  }
  return out;
}

/** differences that depend on what else ran: allowed, but only now and then */
export const FD_NAMED_OTHERWISE = 'an fd named otherwise by 0.29';
export const PID_NAMED_OTHERWISE = "a thread's command known to one reader only";

/** parameters 0.29's table named otherwise, by event type: today's name -> 0.29's */
const OLD_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  execve: { vpgid: 'pgid' },
};

/** 0.29's file_flags lacks what today's libs added to the open flags */
const NEWER_FLAG_NAMES = /\|(O_F_CREATED|FD_UPPER_LAYER|FD_LOWER_LAYER)(?=[|)])/g;

/** why `vigil` may differ from `sysdig` for this parameter, '' when it may not */
function allowedDifference(p: { name: string; type: ParamType }, vigil: string, sysdig: string, staleFd: boolean): string {
  switch (p.type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'FSRELPATH':
      // an empty string: today's libs says <NA>; 0.29 printed leftovers (` N`, the dirfd before it)
      return vigil === '<NA>' ? 'empty string: <NA> in today\'s libs, leftovers in 0.29' : '';
    case 'BYTEBUF':
      // an empty buffer: today's libs says NULL, 0.29 nothing
      if (vigil === 'NULL' && sysdig === '') return "empty buffer: NULL in today's libs, nothing in 0.29";
      // the sysdig command line cuts buffers at 80 characters; Falco does not
      return sysdig.endsWith('...') && vigil.startsWith(sysdig.slice(0, -3)) ? 'buffer cut at 80 by the sysdig command line' : '';
    case 'FLAGS32':
      return vigil.replace(NEWER_FLAG_NAMES, '') === sysdig ? 'flag names 0.29 lacks (O_F_CREATED, layers)' : '';
    case 'FD': {
      const num = (s: string): string => s.replace(/\(.*$/, '');
      if (num(vigil) !== num(sysdig)) return '';
      // 0.29 did not tell a socket's transport from socket()'s type
      if (vigil.replace(/<([46])[tuir]>/, '<$1>') === sysdig) return 'socket transport 0.29 did not infer';
      // sysdig skips the event types from 336 on (dup2, accept4, pipe2...): its fd table is stale there
      if (staleFd) return 'fd made by an event type sysdig 0.29 skips';
      if (sysdig === num(sysdig)) return "an fd missing from sysdig's table";
      // the same fd and type named otherwise: where 0.29 named paths and sockets differently (record.test.ts)
      if (vigil.slice(0, vigil.indexOf('>')) === sysdig.slice(0, sysdig.indexOf('>'))) return FD_NAMED_OTHERWISE;
      return '';
    }
    case 'PID':
      // a thread one of them knew the command of and the other not (or not yet): bounded by the caller
      return vigil.replace(/\(.*\)$/, '') === sysdig.replace(/\(.*\)$/, '') ? PID_NAMED_OTHERWISE : '';
    case 'UID':
      // 0.29 typed loginuid as a plain number
      return sysdig === vigil.replace(/\(.*\)$/, '') ? 'id 0.29 did not resolve' : '';
    default:
      return '';
  }
}

/**
 * Compare the lines of both readings (`rawtime tid dir type args`) for the
 * event types in `types`; `stale` says, by `rawtime tid`, whose fd sysdig's
 * table cannot know.
 */
export function compareArgs(vigilLines: readonly string[], sysdigLines: readonly string[], types: readonly string[], stale: ReadonlySet<string>): ArgsComparison {
  const key = (l: string): string => l.split(' ', 4).join(' ');
  const args = (l: string): string => l.split(' ').slice(4).join(' ');
  const vigil = new Map(vigilLines.map((l) => [key(l), args(l)]));
  const r: ArgsComparison = { events: 0, params: 0, same: 0, allowed: new Map(), diffs: [] };
  for (const line of sysdigLines) {
    const [ts, tid, dir, type] = line.split(' ', 4);
    if (!types.includes(type)) continue;
    const v = vigil.get(key(line));
    if (v === undefined) continue;
    r.events++;
    const params = paramsOf(type, dir);
    const names = params.map((p) => p.name);
    // 0.29 ends every evt.args with a space
    const s = splitArgs(args(line).replace(/ $/, ''), names, OLD_NAMES[type]);
    const a = splitArgs(v, names);
    for (const p of params) {
      const sv = s.get(p.name);
      if (sv === undefined) break;
      r.params++;
      const av = a.get(p.name) ?? '(missing)';
      if (av === sv) {
        r.same++;
        continue;
      }
      const why = allowedDifference(p, av, sv, stale.has(`${ts} ${tid}`));
      if (why) r.allowed.set(why, (r.allowed.get(why) ?? 0) + 1);
      else r.diffs.push(`${dir} ${type} ${p.name}: vigil ${av.slice(0, 200)} / sysdig ${sv.slice(0, 200)}`);
    }
  }
  return r;
}
