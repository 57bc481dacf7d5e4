// The rules-file engine version Vigil claims. Falco's current rules files
// (falco_rules.yaml, incubating, sandbox) require 0.57.0; a file asking for a
// newer engine is refused, as Falco refuses it.
export const ENGINE_VERSION = '0.57.0';

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

export function parseEngineVersion(text: string): [number, number, number] {
  const [a, b, c] = text.split('.').map(Number);
  return [a, b, c];
}

/**
 * Whether plugin version `have` meets requirement `need`, as Falco checks
 * required_plugin_versions: the same major version, and not older.
 */
export function versionSatisfies(have: string, need: string): boolean {
  const h = parseEngineVersion(have);
  const n = parseEngineVersion(need);
  if ([...h, ...n].some((x) => !Number.isFinite(x))) return false;
  return h[0] === n[0] && compareVersions(h, n) >= 0;
}
