// Builds an Engine over the test source (also registered as `syscall`, the
// default rule source) and loads rules text, for the loader tests.
import { Engine, type CompiledRule, type LoadResult } from '../../../src/engine/engine';
import { testSource, untypedTestSource, type TestEvent } from '../testSource';

export const syscallTestSource = { ...testSource, name: 'syscall' };

export function engineFor(...contents: string[]): { engine: Engine; result: LoadResult } {
  const engine = new Engine([syscallTestSource, testSource, untypedTestSource]);
  const result = engine.loadRulesContent(contents.map((content, i) => ({ name: `rules${i + 1}.yaml`, content })));
  return { engine, result };
}

/** Loads rules that must load without errors. */
export function loadClean(...contents: string[]): Engine {
  const { engine, result } = engineFor(...contents);
  if (result.errors.length > 0) throw new Error(`unexpected load errors:\n${result.errors.map((e) => e.format()).join('\n')}`);
  return engine;
}

/** Names of the enabled rules matching `evt` (mode 'all'). */
export function matching(engine: Engine, evt: TestEvent, source = 'syscall'): string[] {
  const names: string[] = [];
  engine.ruleset<TestEvent>(source).match(evt, 'all', (r: CompiledRule<TestEvent>) => names.push(r.name));
  return names;
}

export function formatted(result: LoadResult, which: 'errors' | 'warnings' = 'errors'): string[] {
  return result[which].map((e) => e.format());
}

/** A rule item with the required keys; `extra` lines are added under it. */
export function rule(name: string, condition: string, ...extra: string[]): string {
  return [`- rule: ${name}`, `  desc: ${name}`, `  condition: ${condition}`, `  output: "${name} %proc.name"`, '  priority: WARNING', ...extra.map((l) => `  ${l}`)].join('\n') + '\n';
}
