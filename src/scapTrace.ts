// `vigil -e capture.scap[.gz]`: replays a syscall capture through the syscall
// rules, prints the alerts and Falco's summary. A damaged capture still has
// the events before the damage evaluated; then the error, with its byte
// offset, and a non-zero exit.
import type { Agent } from './agent';
import { type SyscallEvent } from './sources/syscall';
import { replayCapture } from './sources/syscall/scap/replay';
import { logger } from './log';

const log = logger.at('info');

function top(m: Map<string, number>, n: number): string {
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k} ${v}`).join(', ');
}

export async function replayScapTrace(agent: Agent, file: string, allEvents: boolean, verbose: boolean): Promise<number> {
  const evaluator = agent.evaluatorFor<SyscallEvent>('syscall');
  let failed = 0;
  const stats = await replayCapture(file, {
    allEvents,
    onEvent: (e) => evaluator.evaluate(e),
    onFailure: (err, v) => {
      failed++;
      if (failed === 1) log(`${file}: ${v ? `a ${v.name} event (tid ${v.tid}) failed` : 'an event could not be decoded'}: ${(err as Error)?.message ?? String(err)}; going on`);
    },
  });
  await agent.outputs.close();
  for (const l of agent.outputs.lossReport()) log(l);
  process.stdout.write(agent.summary());
  const c = stats.convert;
  const unhandled = [...c.unhandled.values()].reduce((a, b) => a + b, 0);
  let line = `syscall: ${stats.events} events read from ${file}${stats.gzip ? ' (gzip)' : ''}: ${evaluator.events} evaluated`;
  if (stats.notEvaluated > 0) line += `, ${stats.notEvaluated} not evaluated (types libs flags EF_DROP_SIMPLE_CONS; -A evaluates them)`;
  if (c.converted > 0) line += `, ${c.converted} converted from older layouts`;
  if (unhandled > 0) line += `; ${unhandled} skipped, of types Vigil does not decode (${top(c.unhandled, 5)}${c.unhandled.size > 5 ? ', ...' : ''})`;
  if (c.unknownCode > 0) line += `; ${c.unknownCode} skipped, of event codes libs does not know`;
  if (failed > 0) line += `; ${failed} failed evaluation`;
  line += `; state: ${stats.threadsSeeded} threads, ${stats.fdsSeeded} fds, ${stats.users} users, ${stats.groups} groups`;
  log(line);
  if (verbose) log(`syscall: blocks: ${stats.blocks.sections} section(s), ${stats.blocks.eventBlocks} event blocks (${[...stats.blocks.eventBlockTypes].map(([k, v]) => `${v} ${k}`).join(', ')}), ${[...stats.blocks.stateBlocks].map(([k, v]) => `${v} ${k}`).join(', ')}${stats.blocks.unknownBlocks > 0 ? `, ${stats.blocks.unknownBlocks} of unknown types skipped` : ''}`);
  if (stats.error) {
    log(`${file}: ${stats.error.message}; the ${stats.events} events before it were evaluated`);
    return 2;
  }
  return failed > 0 ? 2 : 0;
}
