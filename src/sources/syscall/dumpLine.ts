// `--dump-events`: one captured event as a line, sysdig-like.
import { clockTime } from '../../timeFormat';
import { argPair } from './fields/argText';
import type { SyscallEvent } from './state/syscallEvent';

/** `num time cpu proc (tid) dir type args`; a value the probe cut ends in "...". */
export function dumpLine(e: SyscallEvent): string {
  const v = e.view;
  let args = '';
  for (let i = 0; i < v.nparams; i++) args += ` ${argPair(e, i)}${v.truncated(i) ? '...' : ''}`;
  return `${e.num} ${clockTime(v.ts)} - ${e.thread?.comm ?? '<NA>'} (${v.tid}) ${v.info?.dir ?? '?'} ${v.name}${args}`;
}
