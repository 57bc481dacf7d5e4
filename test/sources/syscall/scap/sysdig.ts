// Running Debian's sysdig (built on falcosecurity/libs) as the reference
// reader of capture files, and Vigil on the same file, for event-by-event
// comparison of the event types Vigil decodes.
import { execFile, execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { EVENT_TYPE_NAMES } from '../../../../src/sources/syscall/eventTable';
import { replayCapture } from '../../../../src/sources/syscall/scap/replay';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
export const EVERY_EVENT_RULE = path.join(__dirname, 'fixtures', 'every_event.yaml');
export const FORMAT = '%evt.rawtime %thread.tid %evt.dir %evt.type fd=%fd.name proc=%proc.name exe=%proc.exe cmd=%proc.cmdline ppid=%proc.ppid';
/** the same without the command line, for live recordings (multi-line command lines break line-by-line comparison) */
export const EVERY_EVENT_NOCMD_RULE = path.join(__dirname, 'fixtures', 'every_event_nocmd.yaml');
export const FORMAT_NOCMD = FORMAT.replace(' cmd=%proc.cmdline', '');

export function haveSysdig(): boolean {
  try {
    execFileSync('sysdig', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args]);
}

/**
 * sysdig's lines for the event types Vigil decodes: exits, and the enters
 * Vigil reads (open family, connect) and procexit. Types this sysdig does not
 * know are left out of the filter (it refuses the whole filter otherwise).
 */
export async function sysdigLines(file: string, exclude: readonly string[] = [], format = FORMAT): Promise<{ lines: string[]; unknownToSysdig: string[] }> {
  let types = EVENT_TYPE_NAMES.filter((t) => t !== 'procexit' && !exclude.includes(t));
  const unknownToSysdig: string[] = [];
  for (;;) {
    const filter = `(evt.dir=< or evt.type in (open,openat,openat2,creat,connect) or evt.type=procexit) and evt.type in (${[...types, 'procexit'].join(',')})`;
    const r = await run('sysdig', ['-r', file, '-p', `*${format}`, filter]);
    const unknown = /unknown event type (\w+)/.exec(r.stdout + r.stderr);
    if (unknown && types.includes(unknown[1])) {
      unknownToSysdig.push(unknown[1]);
      types = types.filter((t) => t !== unknown[1]);
      continue;
    }
    if (r.code !== 0) throw new Error(`sysdig -r ${file} failed (${r.code}): ${r.stderr}`);
    return { lines: r.stdout.split('\n').filter((l) => l !== ''), unknownToSysdig };
  }
}

/**
 * Vigil's lines for the same file, through the every-event rule (-A: EF_DROP_SIMPLE_CONS types too),
 * without the suggested container and pod fields (sysdig's format has none).
 */
export async function vigilLines(file: string, rules = EVERY_EVENT_RULE): Promise<{ lines: string[]; code: number; stderr: string }> {
  const r = await vigil('-r', rules, '-A', '-o', 'append_output=[]', '-e', file);
  const lines = r.stdout.split('\n').filter((l) => / Informational /.test(l)).map((l) => l.replace(/^\S+ Informational /, ''));
  return { lines, code: r.code, stderr: r.stderr };
}

/**
 * How the two render a thread neither ever saw created (no /proc, not in the
 * capture's process list): sysdig says exe=<NA> ppid=-1, Vigil's placeholder
 * exe= ppid=0; an fd libs knows without a name is empty for sysdig, <NA> for Vigil.
 */
export function normalize(line: string): string {
  let l = line.replace(/ fd= /, ' fd=<NA> ');
  if (/ proc=<NA> /.test(l)) l = l.replace(/ exe= /, ' exe=<NA> ').replace(/ ppid=0$/, ' ppid=-1');
  return l;
}

/** the fds each event type makes, among those sysdig 0.29 skips (codes from 336 on): by parameter name */
const FD_MAKERS: Readonly<Record<string, readonly string[]>> = {
  dup: ['res'], dup2: ['res'], dup3: ['res'], accept4: ['fd'], pipe2: ['fd1', 'fd2'], memfd_create: ['fd'], bpf: ['fd'],
};

/**
 * Per event of `file` that sysdig is asked about (types in `skipped` left
 * out, as sysdigLines leaves them out): true when its fd was made by an event
 * sysdig skips and not closed since, so that sysdig's table holds whatever
 * that fd number was before (or nothing).
 */
export async function sysdigStaleFds(file: string, skipped: readonly string[]): Promise<boolean[]> {
  const stale = new Set<string>();
  const out: boolean[] = [];
  await replayCapture(file, {
    allEvents: true,
    onEvent: (e) => {
      const v = e.view;
      const pid = e.thread?.pid ?? v.tid;
      const makes = v.info?.dir === '<' ? FD_MAKERS[v.name] : undefined;
      for (const name of makes ?? []) {
        const at = v.info!.paramIndex.get(name);
        const fd = at === undefined ? undefined : v.int(at);
        if (fd !== undefined && fd >= 0) stale.add(`${pid}:${fd}`);
      }
      if (skipped.includes(v.name)) return;
      out.push(e.fdNum >= 0 && stale.has(`${pid}:${e.fdNum}`));
      if (v.name === 'close' && v.info?.dir === '<' && v.int(0) === 0) stale.delete(`${pid}:${e.fdNum}`);
    },
  });
  return out;
}

