// Vigil's configuration: built-in defaults, then a falco.yaml-style file
// (`-c`), then `-o key.path=value` overrides, in that order. Values are plain
// YAML data; each part of the agent reads its own section through `get`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';

export type ConfigTree = Record<string, unknown>;

/** The repository root, where `rules/` lives (dist/config.js or src/config.ts -> ..). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

export function builtinDefaults(): ConfigTree {
  return {
    rules_files: [path.join(PROJECT_ROOT, 'rules')],
    priority: 'debug',
    rule_matching: 'first',
    json_output: false,
    json_include_output_property: true,
    json_include_tags_property: true,
    json_include_message_property: false,
    json_include_output_fields_property: true,
    time_format_iso_8601: false,
    stdout_output: { enabled: true },
    file_output: { enabled: false, keep_alive: false, filename: './events.txt' },
    webserver: {},
  };
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function isTree(v: unknown): v is ConfigTree {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep-merges `over` into `base` (objects merge, everything else replaces). */
export function mergeConfig(base: ConfigTree, over: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTree(v) && isTree(out[k]) ? mergeConfig(out[k] as ConfigTree, v) : v;
  }
  return out;
}

export function readConfigFile(file: string): ConfigTree {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new ConfigError(`config file ${file}: ${doc.errors[0].message}`);
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (!isTree(value)) throw new ConfigError(`config file ${file}: the top level must be a mapping`);
  // Older Falco configs say rules_file; newer ones rules_files.
  if (value.rules_file !== undefined && value.rules_files === undefined) value.rules_files = value.rules_file;
  return value;
}

/** Applies one `-o key.path=value` (the value read as a YAML scalar or flow collection). */
export function applyOverride(config: ConfigTree, spec: string): ConfigTree {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`-o ${spec}: expected key.path=value`);
  const keys = spec.slice(0, eq).split('.');
  if (keys.some((k) => k === '')) throw new ConfigError(`-o ${spec}: empty key in '${spec.slice(0, eq)}'`);
  let value: unknown;
  try {
    value = YAML.parse(spec.slice(eq + 1));
  } catch {
    value = spec.slice(eq + 1);
  }
  let over: ConfigTree = {};
  const root = over;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) over[k] = value;
    else over = over[k] = {};
  });
  return mergeConfig(config, root);
}

/** The value at a dotted path, or `fallback` when it is absent. */
export function get<T>(config: ConfigTree, dotted: string, fallback: T): T {
  let cur: unknown = config;
  for (const k of dotted.split('.')) {
    if (!isTree(cur) || !(k in cur)) return fallback;
    cur = cur[k];
  }
  return cur === undefined || cur === null ? fallback : (cur as T);
}

export function getBool(config: ConfigTree, dotted: string, fallback: boolean): boolean {
  const v = get<unknown>(config, dotted, fallback);
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(`${dotted}: expected true or false, got ${JSON.stringify(v)}`);
}
