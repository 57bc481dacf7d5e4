// `vigil --support`: what a bug report needs, as one JSON object in the shape
// of Falco's --support (system_info, version, engine_info, cmdline, config:
// the main configuration file's text, rules_files), plus the configuration
// files read with their sha256, the configuration in effect once merged, and
// each rules file's sha256.
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import type { ConfigTree } from './config';
import { ENGINE_VERSION } from './engine/engine';
import type { RulesInput } from './engine/rules/rulesInput';
import { VERSION, versionsBody } from './version';

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

export interface SupportInput {
  argv: readonly string[];
  config: ConfigTree;
  /** the configuration files read, in order, with their contents */
  configFiles: readonly { name: string; content: string }[];
  /** the main configuration file, if one was read */
  mainFile: string | undefined;
  rulesFiles: readonly RulesInput[];
}

export function supportJson(input: SupportInput): Record<string, unknown> {
  return {
    system_info: {
      sysname: os.type(),
      nodename: os.hostname(),
      release: os.release(),
      version: os.version(),
      machine: os.machine(),
      cpus: os.availableParallelism(),
      memory_bytes: os.totalmem(),
    },
    version: VERSION,
    engine_info: versionsBody({ vigil: VERSION, engine: ENGINE_VERSION }),
    cmdline: input.argv.join(' '),
    config_files: input.configFiles.map((f) => ({ name: f.name, sha256: sha256(f.content) })),
    // Falco's `config` is the main file's text as read (empty without one)
    config: input.configFiles.find((f) => f.name === input.mainFile)?.content ?? '',
    effective_config: input.config,
    rules_files: input.rulesFiles.map((f) => ({ name: f.name, sha256: sha256(f.content), variants: [{ content: f.content }] })),
  };
}
