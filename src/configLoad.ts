// Where the configuration comes from, in order: Vigil's built-in defaults;
// the configuration file (-c, else /etc/vigil/vigil.yaml when it exists);
// the files its `config_files` names, merged as Falco 0.38+ merges them; then
// each `-o key.path=value`. `${VAR}` in a file's strings is the environment
// variable's value (empty when unset) and `$${` is a literal `${`, as in
// Falco. The files read are kept with their contents (--support, reloads,
// watch_config_files).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyOverride, builtinDefaults, ConfigError, type ConfigTree, get, mergeConfig, parseKeyPath, readConfigText } from './config';
import { unknownConfigKeys } from './configKeys';
import { readRuleSelection } from './ruleSelection';

/** Read when no -c is given and it exists. */
export const DEFAULT_CONFIG_FILE = '/etc/vigil/vigil.yaml';

export interface ConfigSources {
  /** -c */
  configFile?: string;
  /** -o, in order */
  overrides: readonly string[];
  /** where the configuration is looked for without -c (DEFAULT_CONFIG_FILE) */
  defaultFile?: string;
}

export interface LoadedConfig {
  config: ConfigTree;
  /** the configuration files read, in the order they were merged */
  files: { name: string; content: string }[];
  /** the main configuration file (-c, else the default one when present) */
  mainFile: string | undefined;
  /** directories named by config_files (watched for new files) */
  directories: string[];
  /** keys Vigil does not read (dotted paths), for a warning */
  unknownKeys: string[];
}

/** How an included file's top-level keys join what is there (Falco's config_files strategies). */
type Strategy = 'append' | 'override' | 'add-only';
const STRATEGIES: readonly Strategy[] = ['append', 'override', 'add-only'];

function isTree(v: unknown): v is ConfigTree {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `${VAR}` replaced by the variable's value in every string of `v`; `$${` stays a literal `${`. */
export function expandEnv(v: unknown, env: NodeJS.ProcessEnv = process.env): unknown {
  if (typeof v === 'string') return v.includes('$') ? v.replace(/\$\$\{|\$\{([^}]*)\}/g, (m, name: string | undefined) => (name === undefined ? '${' : (env[name] ?? ''))) : v;
  if (Array.isArray(v)) return v.map((x) => expandEnv(x, env));
  if (isTree(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandEnv(x, env)]));
  return v;
}

/** append: a sequence is extended, anything else replaced; override: replaced; add-only: only keys not there yet. */
function include(tree: ConfigTree, added: ConfigTree, strategy: Strategy): ConfigTree {
  const out = { ...tree };
  for (const [k, v] of Object.entries(added)) {
    if (strategy === 'add-only' && out[k] !== undefined) continue;
    out[k] = strategy === 'append' && Array.isArray(v) && Array.isArray(out[k]) ? [...(out[k] as unknown[]), ...v] : v;
  }
  return out;
}

function includedFiles(tree: ConfigTree, mainFile: string | undefined): { path: string; strategy: Strategy; where: string }[] {
  const raw = tree.config_files;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(`config_files: expected a list of files or directories, got ${JSON.stringify(raw)}`);
  return raw.map((e, i) => {
    const where = `config_files[${i}]`;
    let entry: { path: string; strategy: Strategy; where: string };
    if (typeof e === 'string' && e !== '') entry = { path: e, strategy: 'append', where };
    else if (isTree(e) && typeof e.path === 'string' && e.path !== '') {
      const strategy = (e.strategy ?? 'append') as Strategy;
      if (!STRATEGIES.includes(strategy)) throw new ConfigError(`${where}.strategy: expected ${STRATEGIES.join(', ')}, got ${JSON.stringify(e.strategy)}`);
      for (const k of Object.keys(e)) if (k !== 'path' && k !== 'strategy') throw new ConfigError(`${where}.${k}: unknown key (expected path, strategy)`);
      entry = { path: e.path, strategy, where };
    } else throw new ConfigError(`${where}: expected a path or a mapping with path (and strategy), got ${JSON.stringify(e)}`);
    if (mainFile !== undefined && path.resolve(entry.path) === path.resolve(mainFile)) throw new ConfigError(`${where}: '${entry.path}' is the main configuration file itself`);
    return entry;
  });
}

/** Reads and merges everything; a ConfigError says which file (line and column for YAML errors) or which -o, and why. */
export function loadConfiguration(from: ConfigSources): LoadedConfig {
  const files: LoadedConfig['files'] = [];
  const directories: string[] = [];
  let tree: ConfigTree = {};
  const defaultFile = from.defaultFile ?? DEFAULT_CONFIG_FILE;
  const mainFile = from.configFile ?? (fs.existsSync(defaultFile) ? defaultFile : undefined);
  // -o options on config_files count before the files are included, as in Falco
  const [early, late] = partition(from.overrides, (o) => {
    const key = o.slice(0, Math.max(0, o.indexOf('=')));
    try {
      const first = parseKeyPath(key)[0];
      return 'key' in first && first.key === 'config_files';
    } catch {
      return false;
    }
  });
  if (mainFile !== undefined) {
    const read = readConfigText(mainFile);
    files.push({ name: mainFile, content: read.content });
    tree = expandEnv(read.tree) as ConfigTree;
  }
  for (const o of early) tree = applyOverride(tree, o);
  for (const inc of includedFiles(tree, mainFile)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(inc.path);
    } catch {
      continue; // as Falco: a file or directory that is not there is skipped
    }
    let names: string[];
    if (st.isDirectory()) {
      directories.push(inc.path);
      names = fs
        .readdirSync(inc.path)
        .sort()
        .map((n) => path.join(inc.path, n))
        .filter((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
    } else names = [inc.path];
    for (const name of names) {
      const added = readConfigText(name);
      if (added.tree.config_files !== undefined) throw new ConfigError(`config file ${name}: config_files in an included file (${inc.where}) is not allowed`);
      files.push({ name, content: added.content });
      tree = include(tree, expandEnv(added.tree) as ConfigTree, inc.strategy);
    }
  }
  let config = mergeConfig(builtinDefaults(), tree);
  for (const o of late) config = applyOverride(config, o);
  readRuleSelection(get<unknown>(config, 'rules', undefined));
  return { config, files, mainFile, directories, unknownKeys: unknownConfigKeys(config) };
}

function partition<T>(items: readonly T[], pred: (t: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const t of items) (pred(t) ? yes : no).push(t);
  return [yes, no];
}
