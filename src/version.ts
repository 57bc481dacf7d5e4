// Vigil's version, from package.json (dist/version.js and src/version.ts both sit one level below it).
export const VERSION: string = (require('../package.json') as { version: string }).version;

/**
 * /versions and --support's engine_info, with Falco's key names where they
 * mean the same: engine_version is the engine's minor number and
 * engine_version_semver the whole version, as Falco 0.38+ answers;
 * vigil_version stands where Falco says falco_version.
 */
export function versionsBody(versions: { vigil: string; engine: string }): Record<string, string> {
  const minor = /^\d+\.(\d+)\./.exec(versions.engine)?.[1] ?? versions.engine;
  return { vigil_version: versions.vigil, engine_version: minor, engine_version_semver: versions.engine };
}
