// What the agent runs with, built from the command line: the configuration
// (configLoad.ts) and the engine loaded with the rules it names, selected as
// the command line and the configuration say. Built once at start; a reload
// builds a whole new one first (its rules in a trial worker, so a load that
// fails or runs away there never holds up the agent) and only then is it put
// in place of the running one, whole.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAppendOutput } from './appendOutput';
import type { CliOptions } from './cliArgs';
import { ConfigError, type ConfigTree, get } from './config';
import { checkSettings } from './configCheck';
import { type LoadedConfig, loadConfiguration } from './configLoad';
import { Engine, type LoadResult } from './engine/engine';
import type { OutputAppend } from './engine/outputAppend';
import { parsePriority } from './engine/priority';
import { readRulesInputs, type RulesInput } from './engine/rules/rulesInput';
import type { Source } from './engine/source';
import { applyRuleSelection, readRuleSelection } from './ruleSelection';
import { trialLoad } from './rulesTrial';
import { readStaticFields } from './staticFieldsConfig';
import { logger } from './log';

export interface Setup {
  loaded: LoadedConfig;
  engine: Engine;
  /** the rules files as read (directories expanded) */
  rulesFiles: RulesInput[];
  /** the rules paths as configured (-r, else rules_files), absent ones included: what a change may bring */
  rulesPaths: string[];
}

export interface SetupContext {
  opts: CliOptions;
  sources: Source<any>[];
  log: (msg: string) => void;
}

export function printLoadResult(res: LoadResult, verbose: boolean, log: (msg: string) => void): void {
  for (const e of res.errors) log(`error: ${e.format()}`);
  if (verbose) for (const w of res.warnings) log(`warning: ${w.format()}`);
  if (verbose) for (const n of res.notes) log(`note: ${n.format()}`);
  else if (res.warnings.length > 0) log(`${res.warnings.length} warning(s) while loading rules; run with -v to see them`);
}

export function loadConfigOf(opts: CliOptions, log: (msg: string) => void): LoadedConfig {
  const loaded = loadConfiguration({ configFile: opts.configFile, overrides: opts.overrides });
  for (const key of loaded.unknownKeys) log(`warning: configuration key '${key}' is not one Vigil reads; ignored`);
  return loaded;
}

/** -r paths, else rules_files; configured paths that do not exist are left out (as Falco does), -r ones are not. */
export function configuredRulesPaths(opts: CliOptions, config: ConfigTree): string[] {
  if (opts.rulesFiles.length > 0) return opts.rulesFiles;
  const configured = get<unknown>(config, 'rules_files', []);
  return Array.isArray(configured) ? configured.map(String) : [String(configured)];
}

export function rulesPaths(opts: CliOptions, config: ConfigTree): string[] {
  const paths = configuredRulesPaths(opts, config);
  return opts.rulesFiles.length > 0 ? paths : paths.filter((p) => fs.existsSync(p));
}

function applySelection(engine: Engine, opts: CliOptions, config: ConfigTree): void {
  for (const s of opts.disableSubstrings) engine.enableRules({ substring: s }, false);
  if (opts.onlyTags.length > 0) engine.keepOnlyTags(opts.onlyTags);
  if (opts.disableTags.length > 0) engine.enableRules({ tags: opts.disableTags }, false);
  applyRuleSelection(engine, readRuleSelection(get<unknown>(config, 'rules', undefined)));
  const threshold = parsePriority(String(get(config, 'priority', 'debug')));
  if (threshold === undefined) throw new ConfigError(`priority: unknown priority '${get(config, 'priority', '')}'`);
  // Falco does not load rules below the minimum priority; disabling them skips their evaluation.
  for (const r of engine.rules) if (r.enabled && r.priority > threshold) engine.enableRules({ name: r.name }, false);
}

function buildEngine(ctx: SetupContext, config: ConfigTree, appends: OutputAppend[], inputs: ReturnType<typeof readRulesInputs>, paths: string[]): Engine | undefined {
  const engine = new Engine(ctx.sources, { appends, staticFields: readStaticFields(config) });
  const res = engine.loadRulesContent(inputs.files);
  res.errors.unshift(...inputs.errors);
  printLoadResult(res, ctx.opts.verbose, ctx.log);
  if (res.errors.length > 0) {
    logger.error(`${res.errors.length} error(s) in rules`);
    return undefined;
  }
  if (ctx.opts.verbose) ctx.log(`loaded ${engine.rules.length} rule(s) from ${paths.join(', ') || '(nothing)'}`);
  applySelection(engine, ctx.opts, config);
  return engine;
}

/** At start: the configuration given, and its rules; undefined when the rules have errors (reported). ConfigError for the configuration. */
export function loadSetup(ctx: SetupContext, loaded: LoadedConfig): Setup | undefined {
  const appends = readAppendOutput(loaded.config, ctx.opts.printAppend, ctx.log);
  const paths = rulesPaths(ctx.opts, loaded.config);
  const inputs = readRulesInputs(paths);
  const engine = buildEngine(ctx, loaded.config, appends, inputs, paths);
  return engine ? { loaded, engine, rulesFiles: inputs.files, rulesPaths: configuredRulesPaths(ctx.opts, loaded.config) } : undefined;
}

/**
 * A reload: the configuration read again and checked by every section's
 * reader, the rules built in a trial worker, then on this thread. Undefined
 * when anything is wrong, after saying what (file:line where there is one).
 */
export async function reloadSetup(ctx: SetupContext, signal: AbortSignal): Promise<Setup | undefined> {
  let loaded: LoadedConfig;
  let appends: OutputAppend[];
  let staticFields: Record<string, string>;
  try {
    loaded = loadConfigOf(ctx.opts, ctx.log);
    const problems = checkSettings(loaded.config);
    for (const p of problems) logger.error(`configuration reload: ${p}`);
    if (problems.length > 0) return undefined;
    appends = readAppendOutput(loaded.config, ctx.opts.printAppend, ctx.log);
    staticFields = readStaticFields(loaded.config);
    // priority and the rules: selection are checked before the rules are built
    if (parsePriority(String(get(loaded.config, 'priority', 'debug'))) === undefined) throw new ConfigError(`priority: unknown priority '${get(loaded.config, 'priority', '')}'`);
  } catch (e) {
    logger.error(`configuration reload: ${(e as Error).message}`);
    return undefined;
  }
  const paths = rulesPaths(ctx.opts, loaded.config);
  const inputs = readRulesInputs(paths);
  if (inputs.errors.length === 0) {
    const trial = await trialLoad(inputs.files, undefined, signal, appends, staticFields);
    if (signal.aborted) return undefined;
    if (!trial.built) {
      if ('failure' in trial) logger.error(`rules reload: ${trial.failure}`);
      else for (const e of trial.errors) ctx.log(`error: ${e}`);
      if ('errors' in trial) logger.error(`${trial.errors.length} error(s) in rules`);
      return undefined;
    }
  }
  let engine: Engine | undefined;
  try {
    engine = buildEngine(ctx, loaded.config, appends, inputs, paths);
  } catch (e) {
    logger.error(`configuration reload: ${(e as Error).message}`);
    return undefined;
  }
  return engine ? { loaded, engine, rulesFiles: inputs.files, rulesPaths: configuredRulesPaths(ctx.opts, loaded.config) } : undefined;
}

/** Where a change may call for a reload: the configuration files and the rules files, and the directories holding them. */
export function watchedPaths(setup: Setup): { files: string[]; dirs: string[] } {
  const files = setup.loaded.files.map((f) => path.resolve(f.name));
  const dirs = [...setup.loaded.directories.map((d) => path.resolve(d))];
  for (const p of setup.rulesPaths) {
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) dirs.push(path.resolve(p));
    else files.push(path.resolve(p));
  }
  return { files: [...new Set(files)], dirs: [...new Set(dirs)] };
}
