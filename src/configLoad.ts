// Where the configuration comes from: Vigil's built-in defaults, then the
// configuration file (-c), then each `-o key.path=value` in order. The files
// read are kept with their contents (for --support and reloads).
import { applyOverride, builtinDefaults, type ConfigTree, mergeConfig, readConfigText } from './config';
import { unknownConfigKeys } from './configKeys';
import { readRuleSelection } from './ruleSelection';
import { get } from './config';

export interface ConfigSources {
  /** -c */
  configFile?: string;
  /** -o, in order */
  overrides: readonly string[];
}

export interface LoadedConfig {
  config: ConfigTree;
  /** the configuration files read, in the order they were merged */
  files: { name: string; content: string }[];
  /** keys Vigil does not read (dotted paths), for a warning */
  unknownKeys: string[];
}

/** Reads and merges everything; a ConfigError says which file or -o and why. */
export function loadConfiguration(from: ConfigSources): LoadedConfig {
  const files: LoadedConfig['files'] = [];
  let config = builtinDefaults();
  if (from.configFile !== undefined) {
    const read = readConfigText(from.configFile);
    files.push({ name: from.configFile, content: read.content });
    config = mergeConfig(config, read.tree);
  }
  for (const o of from.overrides) config = applyOverride(config, o);
  readRuleSelection(get<unknown>(config, 'rules', undefined));
  return { config, files, unknownKeys: unknownConfigKeys(config) };
}
