// The default syscall rules (rules/falco_rules.yaml) loaded as the agent
// loads them, for the benches that run the whole syscall path.
import path from 'node:path';
import { Engine } from '../src/engine/engine';
import { builtinSources } from '../src/sources';
import type { SyscallEvent } from '../src/sources/syscall';

const RULES = path.resolve(__dirname, '..', 'rules/falco_rules.yaml');

/** as `vigil` loads them: suggested output (container and pod) appended, as its default configuration says */
export function loadDefaultSyscallRules() {
  const engine = new Engine(builtinSources(), { appends: [{ suggested: true }] });
  const res = engine.loadRulesFiles([RULES]);
  if (res.errors.length > 0) throw new Error(`default rules do not load:\n${res.errors.map((e) => e.format()).join('\n')}`);
  return { engine, ruleset: engine.ruleset<SyscallEvent>('syscall') };
}
