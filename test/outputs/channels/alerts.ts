// Alerts for channel tests, as the agent makes them.
import type { Alert } from '../../../src/outputs/alert';
import { applyOverride, builtinDefaults, type ConfigTree } from '../../../src/config';

export function alert(i: number, priority = 4): Alert {
  return {
    time: 1715679935_000000000n + BigInt(i),
    rule: 'Test Rule',
    priority,
    source: 'k8s_audit',
    tags: ['k8s', 'test'],
    message: `alert number ${i}`,
    outputFields: () => ({ 'ka.user.name': `user${i}`, 'ka.verb': 'create', n: i, ok: true, missing: null }),
  };
}

/** built-in defaults with only the channels the test enables, and `-o` style overrides */
export function config(...overrides: string[]): ConfigTree {
  let c = builtinDefaults();
  for (const o of ['stdout_output.enabled=false', 'syslog_output.enabled=false', ...overrides]) c = applyOverride(c, o);
  return c;
}

export function collectLog(): { log: (m: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { log: (m) => lines.push(m), lines };
}
