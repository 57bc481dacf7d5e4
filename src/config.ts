// Vigil's configuration: built-in defaults, then a falco.yaml-style file
// (`-c`), then `-o key.path=value` overrides, in that order. Values are plain
// YAML data; each part of the agent reads its own section through `get`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { WEBSERVER_DEFAULTS } from './server/webserverConfig';

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
    syslog_output: { enabled: true },
    file_output: { enabled: false, keep_alive: false, filename: './events.txt' },
    program_output: { enabled: false, keep_alive: false, program: '' },
    http_output: { enabled: false, url: '' },
    outputs_queue: { capacity: 0 },
    output_timeout: 2000,
    grpc_output: { enabled: false },
    grpc: { enabled: false, bind_address: 'unix:///run/vigil/vigil.sock', threadiness: 0 },
    syscall_event_drops: { threshold: 0.1, actions: ['log', 'alert'], rate: 0.03333, max_burst: 1 },
    metrics: {
      enabled: false,
      interval: '1h',
      output_rule: true,
      output_file: '',
      rules_counters_enabled: true,
      resource_utilization_enabled: true,
      state_counters_enabled: true,
      kernel_event_counters_enabled: true,
      include_empty_values: false,
    },
    capture: { enabled: false, path_prefix: '/tmp/falco', mode: 'rules', default_duration: 5000 },
    webserver: { ...WEBSERVER_DEFAULTS, prometheus_metrics_enabled: false },
    watch_config_files: true,
    log_level: 'info',
    log_stderr: true,
    log_syslog: true,
    // as Falco's falco.yaml: syscall alerts end with the container and pod
    append_output: [{ suggested_output: true }],
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
  return readConfigText(file).tree;
}

/** The file's mapping and its text; a ConfigError names the file and, for YAML errors, the line and column. */
export function readConfigText(file: string): { tree: ConfigTree; content: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  return { tree: parseConfigText(text, file), content: text };
}

export function parseConfigText(text: string, file: string): ConfigTree {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = e.linePos?.[0];
    throw new ConfigError(`config file ${file}${at ? `:${at.line}:${at.col}` : ''}: ${e.message}`);
  }
  const value = doc.toJS() as unknown;
  if (value === null || value === undefined) return {};
  if (!isTree(value)) throw new ConfigError(`config file ${file}: the top level must be a mapping`);
  // Older Falco configs say rules_file; newer ones rules_files.
  if (value.rules_file !== undefined && value.rules_files === undefined) value.rules_files = value.rules_file;
  return value;
}

/** One step of an override's key path: a map key, a sequence index, or `[]` (append). */
type Step = { key: string } | { index: number } | { append: true };

/**
 * Falco's key path syntax for `-o`: keys joined by '.', `[N]` indexes a
 * sequence, `[]` appends to one (`rules[].disable.rule=*`,
 * `rules_files[0]=x`); `\.`, `\[`, `\]` and `\\` put those characters in a key.
 */
export function parseKeyPath(path: string): Step[] {
  const steps: Step[] = [];
  let key = '';
  let keyOpen = false;
  const endKey = (at: number): void => {
    if (!keyOpen) return;
    if (key === '') throw new ConfigError(`empty key at position ${at} of '${path}'`);
    steps.push({ key });
    key = '';
    keyOpen = false;
  };
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\') {
      const next = path[i + 1];
      if (next === undefined || !'.[]\\'.includes(next)) throw new ConfigError(`invalid escape at position ${i} of '${path}' (\\ escapes . [ ] and \\)`);
      key += next;
      keyOpen = true;
      i++;
    } else if (c === '.') {
      if (!keyOpen && (steps.length === 0 || path[i - 1] !== ']')) throw new ConfigError(`empty key at position ${i} of '${path}'`);
      endKey(i);
    } else if (c === '[') {
      endKey(i);
      if (steps.length === 0) throw new ConfigError(`'[' with no key before it at position ${i} of '${path}'`);
      const close = path.indexOf(']', i);
      if (close < 0) throw new ConfigError(`unclosed '[' at position ${i} of '${path}'`);
      const idx = path.slice(i + 1, close);
      if (idx === '') steps.push({ append: true });
      else if (/^\d+$/.test(idx)) steps.push({ index: Number(idx) });
      else throw new ConfigError(`expected a numeric index or [], found '[${idx}]' in '${path}'`);
      i = close;
      if (i + 1 < path.length && path[i + 1] !== '.' && path[i + 1] !== '[') throw new ConfigError(`expected '.' after ']' at position ${i + 1} of '${path}'`);
    } else {
      if (!keyOpen && steps.length > 0 && path[i - 1] !== '.') throw new ConfigError(`expected '.' at position ${i} of '${path}'`);
      key += c;
      keyOpen = true;
    }
  }
  if (path.endsWith('.')) throw new ConfigError(`empty key at the end of '${path}'`);
  endKey(path.length);
  if (steps.length === 0) throw new ConfigError('empty key');
  return steps;
}

/** `node` with `value` set at `steps` (copies along the path; maps at the end merge as before). */
function setAt(node: unknown, steps: readonly Step[], value: unknown, path: string): unknown {
  if (steps.length === 0) return isTree(node) && isTree(value) ? mergeConfig(node, value) : value;
  const [step, ...rest] = steps;
  if ('key' in step) {
    if (node !== undefined && node !== null && !isTree(node)) throw new ConfigError(`'${path}': '${step.key}' is a key, but the value there is not a mapping`);
    const tree: ConfigTree = { ...(isTree(node) ? node : {}) };
    tree[step.key] = setAt(tree[step.key], rest, value, path);
    return tree;
  }
  if (node !== undefined && node !== null && !Array.isArray(node)) throw new ConfigError(`'${path}': the value there is not a sequence`);
  const list = [...((node as unknown[] | undefined) ?? [])];
  const i = 'append' in step ? list.length : step.index;
  if (i > list.length) throw new ConfigError(`'${path}': index ${i} is past the end of a sequence of ${list.length}`);
  list[i] = setAt(list[i], rest, value, path);
  return list;
}

/** Applies one `-o key.path=value` (the value read as a YAML scalar or flow collection). */
export function applyOverride(config: ConfigTree, spec: string): ConfigTree {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`-o ${spec}: expected key.path=value`);
  let steps: Step[];
  try {
    steps = parseKeyPath(spec.slice(0, eq));
  } catch (err) {
    throw new ConfigError(`-o ${spec}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = YAML.parse(spec.slice(eq + 1));
  } catch {
    value = spec.slice(eq + 1);
  }
  if (!('key' in steps[0])) throw new ConfigError(`-o ${spec}: the top level is a mapping`);
  try {
    return setAt(config, steps, value, spec.slice(0, eq)) as ConfigTree;
  } catch (err) {
    throw new ConfigError(`-o ${spec}: ${(err as Error).message}`);
  }
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

export function getString(config: ConfigTree, dotted: string, fallback: string): string {
  const v = get<unknown>(config, dotted, fallback);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConfigError(`${dotted}: expected a string, got ${JSON.stringify(v)}`);
}

/** A number at a dotted path (YAML may give it as a string), refused outside [min, max]. */
export function getNumber(config: ConfigTree, dotted: string, fallback: number, min = -Infinity, max = Infinity, integer = false): number {
  const v = get<unknown>(config, dotted, fallback);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`${dotted}: expected ${integer ? 'an integer' : 'a number'}, got ${JSON.stringify(v)}`);
  }
  if (n < min || n > max) throw new ConfigError(`${dotted}: ${n} is outside ${min}..${max}`);
  return n;
}
