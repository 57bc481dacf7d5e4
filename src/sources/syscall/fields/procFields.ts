// proc.*, thread.*: the process and thread of the event and its ancestors,
// from the process table.
import fs from 'node:fs';
import type { FieldDef, Value } from '../../../engine/source';
import type { SyscallEvent } from '../state/syscallEvent';
import type { ThreadInfo } from '../state/threadInfo';
import { MAX_ANCESTORS } from '../state/threadTable';
import { capsText } from './capNames';
import { indexed, keyed, plain } from './fieldKinds';

type E = SyscallEvent;

const SHELLS = new Set(['ash', 'bash', 'csh', 'ksh', 'sh', 'tcsh', 'zsh', 'dash', 'fish']);

function parent(e: E): ThreadInfo | undefined {
  return e.thread ? e.threads.parent(e.thread) : undefined;
}

function ancestor(e: E, n: number): ThreadInfo | undefined {
  return e.thread ? e.threads.ancestor(e.thread, n) : undefined;
}

/** `proc.aname` and friends without an index: the value for every ancestor, parent first (Falco matches any). */
function ancestorsOf<T extends string | number>(get: (t: ThreadInfo) => T): (e: E) => T[] | undefined {
  return (e) => {
    if (!e.thread) return undefined;
    const out: T[] = [];
    let a = e.threads.parent(e.thread);
    for (let n = 0; a !== undefined && n < MAX_ANCESTORS; n++, a = e.threads.parent(a)) out.push(get(a));
    return out;
  };
}

// the exec event's flags parameter (libs' PPM_EXE_*)
const EXE_WRITABLE = 1 << 0;
const EXE_UPPER_LAYER = 1 << 1;
const EXE_FROM_MEMFD = 1 << 2;
const EXE_LOWER_LAYER = 1 << 3;

/**
 * proc.is_exe_writable: as the kernel judged it at exec; for processes already
 * running at start (no exec seen), from the file's mode and owner, once.
 */
function exeWritable(t: ThreadInfo): boolean | undefined {
  if (t.exeFlags !== undefined) return (t.exeFlags & EXE_WRITABLE) !== 0;
  if (t.exeWritable !== undefined) return t.exeWritable;
  if (!t.exepath.startsWith('/')) return undefined;
  try {
    const st = fs.statSync(t.exepath);
    const m = st.mode;
    t.exeWritable = t.uid === 0 || (st.uid === t.uid ? (m & 0o200) !== 0 : st.gid === t.gid ? (m & 0o020) !== 0 : (m & 0o002) !== 0);
  } catch {
    t.exeWritable = false;
  }
  return t.exeWritable;
}

/** the oldest shell among the ancestors, walking up while processes are shells */
function loginShellId(e: E): number | undefined {
  let t = e.thread;
  let found: number | undefined;
  for (let i = 0; t !== undefined && i < MAX_ANCESTORS; i++) {
    if (SHELLS.has(t.comm)) found = t.pid;
    t = e.threads.parent(t);
  }
  return found;
}

function envValue(t: ThreadInfo | undefined, key: string): Value {
  if (!t) return undefined;
  const prefix = `${key}=`;
  for (const kv of t.env) if (kv.startsWith(prefix)) return kv.slice(prefix.length);
  return undefined;
}

const of = <K extends keyof ThreadInfo>(k: K) => (e: E): Value => (e.thread ? (e.thread[k] as Value) : undefined);
const ofParent = <K extends keyof ThreadInfo>(k: K) => (e: E): Value => {
  const p = parent(e);
  return p ? (p[k] as Value) : undefined;
};

/** a capability set of the thread as names; no value when the thread's sets are unknown */
function caps(which: 'capEffective' | 'capPermitted' | 'capInheritable') {
  return (e: E): Value => {
    const c = e.thread?.[which];
    return c === undefined ? undefined : capsText(c);
  };
}

export const procFields: FieldDef<E>[] = [
  plain('proc.pid', 'int', 'the id of the process generating the event', of('pid')),
  plain('proc.ppid', 'int', 'the pid of the parent process', of('ppid')),
  plain('proc.vpid', 'int', 'the pid as seen from its own pid namespace', of('vpid')),
  plain('proc.name', 'string', 'the name of the process (the kernel comm, at most 15 characters)', of('comm')),
  plain('proc.exe', 'string', 'the first command-line argument (usually the executable name, as invoked)', of('exe')),
  plain('proc.exepath', 'string', 'the full path of the executable', of('exepath')),
  plain('proc.cmdline', 'string', 'the full command line: proc.name and proc.args', (e) => e.thread?.cmdline()),
  plain('proc.args', 'string', 'the command-line arguments after the program name, space separated', (e) => e.thread?.args.join(' ')),
  // the process's, kept on its main thread as libs keeps it (a thread's chdir changes it for all)
  plain('proc.cwd', 'string', "the current working directory, with a trailing '/' as Falco shows it", (e) => (e.thread ? (e.threads.main(e.thread) ?? e.thread).cwd : undefined)),
  plain('proc.tty', 'int', 'the controlling terminal (0 for none)', of('tty')),
  plain('proc.sid', 'int', 'the session id', of('sid')),
  plain('proc.vpgid', 'int', 'the process group id, as seen from its pid namespace', of('vpgid')),
  plain('proc.pname', 'string', 'the name of the parent process', ofParent('comm')),
  plain('proc.pcmdline', 'string', 'the full command line of the parent process', (e) => parent(e)?.cmdline()),
  plain('proc.pexe', 'string', 'the first command-line argument of the parent process', ofParent('exe')),
  plain('proc.pexepath', 'string', 'the full executable path of the parent process', ofParent('exepath')),
  plain('proc.pvpid', 'int', 'the parent pid as seen from its pid namespace', ofParent('vpid')),
  indexed('proc.aname', 'string', 'the name of an ancestor: [0] this process, [1] the parent, [2] the grandparent...; without index, any ancestor',
    'ancestor level', undefined, (e, n) => ancestor(e, n)?.comm, ancestorsOf((t) => t.comm)),
  indexed('proc.apid', 'int', 'the pid of an ancestor ([1] the parent...); without index, any ancestor', 'ancestor level', undefined,
    (e, n) => ancestor(e, n)?.pid, ancestorsOf((t) => t.pid)),
  indexed('proc.acmdline', 'string', 'the command line of an ancestor ([1] the parent...); without index, any ancestor', 'ancestor level', undefined,
    (e, n) => ancestor(e, n)?.cmdline(), ancestorsOf((t) => t.cmdline())),
  indexed('proc.aexe', 'string', 'the first argument of an ancestor ([1] the parent...); without index, any ancestor', 'ancestor level', undefined,
    (e, n) => ancestor(e, n)?.exe, ancestorsOf((t) => t.exe)),
  indexed('proc.aexepath', 'string', 'the executable path of an ancestor ([1] the parent...); without index, any ancestor', 'ancestor level', undefined,
    (e, n) => ancestor(e, n)?.exepath, ancestorsOf((t) => t.exepath)),
  plain('proc.is_exe_writable', 'bool', "true when the executable file is writable by the process's user", (e) => (e.thread ? exeWritable(e.thread) : undefined)),
  plain('proc.is_exe_upper_layer', 'bool', 'true when the executable is in the upper (writable) layer of an overlay filesystem; false when no exec of the process was seen',
    (e) => (e.thread ? ((e.thread.exeFlags ?? 0) & EXE_UPPER_LAYER) !== 0 : undefined)),
  plain('proc.is_exe_lower_layer', 'bool', 'true when the executable is in a lower (image) layer of an overlay filesystem; false when no exec of the process was seen',
    (e) => (e.thread ? ((e.thread.exeFlags ?? 0) & EXE_LOWER_LAYER) !== 0 : undefined)),
  plain('proc.is_exe_from_memfd', 'bool', 'true when the executable is a memfd (fileless execution)', (e) => {
    const t = e.thread;
    if (!t) return undefined;
    if (t.exeFlags !== undefined && (t.exeFlags & EXE_FROM_MEMFD) !== 0) return true;
    return t.exepath.startsWith('memfd:') || t.exepath.startsWith('/memfd:');
  }),
  plain('proc.loginshellid', 'int', 'the pid of the oldest shell among the ancestors of the process', loginShellId),
  plain('proc.duration', 'reltime', 'nanoseconds since the process started', (e) => (e.thread && e.thread.startTs > 0n ? e.view.ts - e.thread.startTs : undefined)),
  plain('proc.exe_ino.ctime', 'abstime', "the executable's inode change time at exec (nanoseconds since the epoch)", (e) => (e.thread && e.thread.exeCtime > 0n ? e.thread.exeCtime : undefined)),
  plain('proc.exe_ino.mtime', 'abstime', "the executable's modification time at exec (nanoseconds since the epoch)", (e) => (e.thread && e.thread.exeMtime > 0n ? e.thread.exeMtime : undefined)),
  plain('proc.exe_ino.ctime_duration_proc_start', 'abstime', "nanoseconds between the executable's inode change time and the process start (as libs: 2^64 minus the gap when the change came after the start)",
    (e) => (e.thread && e.thread.exeCtimeToStart > 0n ? e.thread.exeCtimeToStart : undefined)),
  keyed('proc.env', 'string', 'the environment (bounded); with a name, that variable’s value (proc.env[HOME])', 'variable name',
    (key) => (e) => envValue(e.thread, key), { optional: (e) => e.thread?.env.join(' ') }),
  plain('proc.sname', 'string', 'the name of the session leader', (e) => {
    const t = e.thread;
    return t && t.sid > 0 ? e.threads.get(t.sid)?.comm : undefined;
  }),
  plain('proc.is_vpgid_leader', 'bool', 'true when the process leads its process group, as seen from its pid namespace (proc.vpgid = proc.vpid)', (e) =>
    e.thread ? e.thread.vpgid === e.thread.vpid : undefined),
  plain('proc.is_session_leader', 'bool', 'true when the process leads its session', (e) => (e.thread ? e.thread.sid === e.thread.pid : undefined)),
  plain('thread.tid', 'int', 'the id of the thread generating the event', (e) => e.view.tid),
  plain('thread.vtid', 'int', 'the thread id as seen from its pid namespace', of('vtid')),
  plain('thread.ismain', 'bool', 'true for the main thread of the process', (e) => (e.thread ? e.thread.tid === e.thread.pid : undefined)),
  plain('thread.cap_effective', 'string', 'the effective capabilities of the thread, by name (CAP_CHOWN CAP_SYS_ADMIN ...), from exec, capset and clone, or /proc', caps('capEffective')),
  plain('thread.cap_permitted', 'string', 'the permitted capabilities of the thread, by name', caps('capPermitted')),
  plain('thread.cap_inheritable', 'string', 'the inheritable capabilities of the thread, by name', caps('capInheritable')),
];
