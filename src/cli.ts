#!/usr/bin/env node
// The `vigil` command: loads configuration and rules, then validates,
// describes, reads a trace file, or runs the live sources until stopped.
import { probeInfo } from './sources/syscall/probeVariant';
import { Agent } from './agent';
import { parseCliArgs, type CliOptions, UsageError, USAGE } from './cliArgs';
import { type ConfigTree, ConfigError, getBool } from './config';
import { Engine, ENGINE_VERSION } from './engine/engine';
import { readRulesInputs } from './engine/rules/rulesInput';
import { priorityName } from './engine/priority';
import type { Source } from './engine/source';
import { describeJson } from './outputs/describeJson';
import { loadResultJson } from './outputs/loadResultJson';
import { Outputs } from './outputs/outputs';
import { checkSettings, ruleMatching } from './configCheck';
import type { LoadedConfig } from './configLoad';
import { listEvents } from './listEvents';
import { PidFileError, writePidFile } from './pidFile';
import { supportJson } from './support';
import { builtinSources } from './sources';
import { traceKind } from './traceKind';
import { VERSION } from './version';
import { type Reloaded, runLive } from './live';
import { logger, logSettings } from './log';
import { loadConfigOf, loadSetup, reloadSetup, rulesPaths, type SetupContext, watchedPaths, printLoadResult } from './agentSetup';
import { configChange } from './configReload';
import { readAppendOutput } from './appendOutput';
import { readStaticFields } from './staticFieldsConfig';
import { withStaticFields } from './engine/staticFields';
import { readAuditTrace, toAuditEvent } from './sources/k8s_audit';
import { replayScapTrace } from './scapTrace';

const log = logger.at('info');

function loadConfig(opts: CliOptions): LoadedConfig {
  return loadConfigOf(opts, log);
}

function listFields(sources: readonly Source<unknown>[], which: string | true): number {
  const chosen = which === true ? sources : sources.filter((s) => s.name === which);
  if (chosen.length === 0) {
    log(`unknown source '${which}'; sources: ${sources.map((s) => s.name).join(', ')}`);
    return 1;
  }
  let out = '';
  for (const s of chosen) {
    out += `Event Source: ${s.name}\n\n`;
    for (const f of s.fields) {
      if (f.hidden) continue;
      const arg = f.arg ? `[${f.arg.form === 'index' ? 'i' : 'key'}]${f.arg.required ? '' : ' (optional)'}` : '';
      out += `${`${f.name}${arg}`.padEnd(44)} ${`(${f.type}${f.isList ? ' list' : ''})`.padEnd(14)} ${f.desc}\n`;
      if (f.arg?.desc) out += `${' '.repeat(60)}argument: ${f.arg.desc}\n`;
    }
    out += '\n';
  }
  process.stdout.write(out);
  return 0;
}

function describeRules(engine: Engine, only?: string): number {
  const rules = only === undefined ? engine.rules : engine.rules.filter((r) => r.name === only);
  if (only !== undefined && rules.length === 0) {
    log(`no rule named '${only}'`);
    return 1;
  }
  let out = '';
  for (const r of rules) {
    out += `${r.name}\n  source: ${r.source}  priority: ${priorityName(r.priority)}  enabled: ${r.enabled}`;
    out += `  tags: [${r.tags.join(', ')}]\n  ${r.desc.trim().replace(/\s+/g, ' ')}\n`;
    if (only !== undefined) out += `  condition: ${r.condition.trim()}\n  output: ${r.outputFormat.trim()}\n`;
    out += '\n';
  }
  process.stdout.write(out);
  return 0;
}

/**
 * -V: each file loaded in turn into one engine (a file may use what an
 * earlier one defined), as Falco does. Text: a summary line per file on
 * stdout, `Ok`, `Ok, with warnings` or `Invalid` followed by its errors, and
 * every diagnostic on stderr. json_output: one JSON object in Falco's shape.
 * Exit 1 when any file has an error.
 */
function validate(opts: CliOptions, config: ConfigTree, sources: Source<unknown>[]): number {
  // as Falco validates: with the configuration's output appends and static fields
  const engine = new Engine(sources, { appends: readAppendOutput(config, opts.printAppend, log), staticFields: readStaticFields(config) });
  const json = getBool(config, 'json_output', false);
  const results: Record<string, unknown>[] = [];
  let summary = '';
  let ok = true;
  for (const f of opts.validate) {
    const res = engine.loadRulesFiles([f]);
    ok &&= res.errors.length === 0;
    if (json) {
      const content = engine.loadedContent.find((c) => c.name === f)?.content;
      results.push(loadResultJson({ name: f, content, errors: res.errors, warnings: res.warnings }));
      continue;
    }
    printLoadResult(res, true, log);
    if (res.errors.length > 0) summary += `${f}: Invalid\n${res.errors.map((e) => `${e.format()}\n`).join('')}`;
    else summary += res.warnings.length > 0 ? `${f}: Ok, with warnings\n` : `${f}: Ok\n`;
  }
  const describe = ok && (opts.describeAll || opts.describeRule !== undefined);
  if (json) {
    const out: Record<string, unknown> = { falco_load_results: results };
    if (describe) out.falco_describe_results = describeJson(engine, opts.describeRule);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(summary);
    if (describe) {
      process.stdout.write('\n');
      return describeRules(engine, opts.describeRule);
    }
  }
  return ok ? 0 : 1;
}

async function readTrace(agent: Agent, file: string, opts: CliOptions): Promise<number> {
  const kind = traceKind(file);
  if (kind === 'scap') return replayScapTrace(agent, file, opts.allEvents, opts.verbose);
  if (kind === 'k8s_audit') {
    const evaluator = agent.evaluatorFor<ReturnType<typeof toAuditEvent>>('k8s_audit');
    const res = readAuditTrace(file, (evt) => evaluator.evaluate(evt), (msg) => log(`rejected: ${msg}`));
    await agent.outputs.close();
    for (const line of agent.outputs.lossReport()) logger.warning(line);
    process.stdout.write(agent.summary());
    if (res.rejected > 0) {
      logger.warning(`${res.rejected} input(s) rejected, ${res.events} event(s) read from ${file}`);
      return 2;
    }
    return 0;
  }
  log(`${file}: ${kind.error}`);
  await agent.outputs.close();
  return 1;
}

/** The sources that run: --enable-source names them, --disable-source names those that do not. */
function chosenSources(sources: readonly Source<unknown>[], opts: CliOptions): Source<unknown>[] {
  for (const [flag, names] of [['--enable-source', opts.enableSources], ['--disable-source', opts.disableSources]] as const) {
    for (const n of names) if (!sources.some((s) => s.name === n)) throw new UsageError(`${flag}: unknown source '${n}' (sources: ${sources.map((s) => s.name).join(', ')})`);
  }
  if (opts.enableSources.length > 0) return sources.filter((s) => opts.enableSources.includes(s.name));
  return sources.filter((s) => !opts.disableSources.includes(s.name));
}

/** -P around a run: written before, removed when it ends however it ends. */
async function withPidFile(file: string | undefined, run: () => Promise<number>): Promise<number> {
  if (file === undefined) return run();
  let remove: () => void;
  try {
    remove = writePidFile(file);
  } catch (e) {
    logger.error(`vigil: ${(e as PidFileError).message}`);
    return 1;
  }
  try {
    return await run();
  } finally {
    remove();
  }
}

export function main(argv: readonly string[]): number | Promise<number> {
  const opts = parseCliArgs(argv);
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`Vigil version: ${VERSION}\nEngine version: ${ENGINE_VERSION}\n`);
    return 0;
  }
  if (opts.probeInfo) {
    const info = probeInfo(opts.probe);
    process.stdout.write(`${info.lines.join('\n')}\n`);
    return info.ok ? 0 : 1;
  }
  const sources = builtinSources();
  if (opts.listEvents) {
    process.stdout.write(listEvents(sources));
    return 0;
  }
  const loaded = loadConfig(opts);
  const config = loaded.config;
  if (opts.listFields !== undefined) {
    // the static_fields of the configuration are fields of every source, as rules see them
    const statics = readStaticFields(config);
    return listFields(sources.map((s) => withStaticFields(s, statics)), opts.listFields);
  }

  if (opts.validate.length > 0) return validate(opts, config, sources);

  const enabledSources = chosenSources(sources, opts);
  if (opts.support) {
    const rules = readRulesInputs(rulesPaths(opts, config));
    for (const e of rules.errors) log(`warning: ${e.format()}`);
    process.stdout.write(`${JSON.stringify(supportJson({ argv: process.argv, config, configFiles: loaded.files, mainFile: loaded.mainFile, rulesFiles: rules.files }))}\n`);
    return 0;
  }
  const ctx: SetupContext = { opts, sources, log };
  const setup = loadSetup(ctx, loaded);
  if (!setup) {
    logger.error(opts.dryRun ? 'dry run: the rules have errors' : 'not starting');
    return 1;
  }
  const engine = setup.engine;
  if (opts.describeAll || opts.describeRule !== undefined) {
    if (!getBool(config, 'json_output', false)) return describeRules(engine, opts.describeRule);
    if (opts.describeRule !== undefined && !engine.rules.some((r) => r.name === opts.describeRule)) {
      log(`no rule named '${opts.describeRule}'`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(describeJson(engine, opts.describeRule))}\n`);
    return 0;
  }
  if (opts.dryRun) {
    const problems = checkSettings(config);
    for (const p of problems) log(`error: ${p}`);
    const enabled = engine.rules.filter((r) => r.enabled).length;
    log(problems.length > 0 ? `dry run: ${problems.length} configuration error(s); nothing started` : `dry run: configuration and rules are valid (${enabled} enabled rule(s), sources: ${enabledSources.map((s) => s.name).join(', ') || 'none'}); nothing started`);
    return problems.length > 0 ? 1 : 0;
  }

  // log_* apply to the running agent (trace or live); commands that only read and print keep stderr
  logger.configure(logSettings(config));
  const agent = new Agent(engine, new Outputs(config, { unbuffered: opts.unbuffered }), ruleMatching(config));
  if (opts.traceFile !== undefined) {
    if (opts.writeFile !== undefined) throw new UsageError('-w records live capture; it cannot be combined with -e');
    const file = opts.traceFile;
    return withPidFile(opts.pidFile, () => readTrace(agent, file, opts));
  }
  // the configuration and rules in effect; a reload replaces them whole, or not at all
  let current = setup;
  let running = config;
  const reload = async (signal: AbortSignal): Promise<Reloaded | undefined> => {
    const next = await reloadSetup(ctx, signal);
    if (!next || signal.aborted) return undefined;
    const change = configChange(running, next.loaded.config);
    for (const k of change.needRestart) logger.warning(`configuration reload: ${k} changed, but it is set up at start: the running ${k} stays until a restart`);
    let outputs: Outputs | undefined;
    if (change.outputsChanged) {
      try {
        outputs = new Outputs(change.effective, { unbuffered: opts.unbuffered, grpcChannel: agent.outputs.grpcChannel });
      } catch (e) {
        logger.error(`configuration reload: ${(e as Error).message}`);
        return undefined;
      }
    }
    logger.configure(logSettings(change.effective));
    log(`configuration reloaded from ${next.loaded.files.map((f) => f.name).join(', ') || 'the built-in defaults'}${opts.overrides.length > 0 ? ' and -o' : ''}`);
    current = { ...next, loaded: { ...next.loaded, config: change.effective } };
    running = change.effective;
    return { engine: next.engine, ruleMatching: ruleMatching(change.effective), outputs };
  };
  const watch = (): { files: string[]; dirs: string[] } | undefined => (getBool(running, 'watch_config_files', true) ? watchedPaths(current) : undefined);
  return withPidFile(opts.pidFile, () =>
    runLive(agent, {
      config,
      sources: enabledSources.map((s) => s.name),
      verbose: opts.verbose,
      durationSeconds: opts.durationSeconds,
      allEvents: opts.allEvents,
      writeFile: opts.writeFile,
      dumpEvents: opts.dumpEvents,
      probe: opts.probe,
      webserverEnabled: getBool(config, 'webserver.enabled', true),
      reload,
      watch,
    }),
  );
}

/**
 * stdout's reader may go away (`vigil -e capture | head`): the alerts for
 * stdout are then counted as dropped (streamChannels.ts) and the summary is
 * not printed, while the agent goes on with its other outputs; without a
 * handler the stream's EPIPE would end the process with a stack trace.
 */
function keepRunningWithoutStdout(): void {
  let said = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') return logger.error(`vigil: stdout: ${e.message}`);
    if (said) return;
    said = true;
    logger.warning('vigil: stdout was closed by its reader (EPIPE); nothing more is written there');
  });
}

if (require.main === module) {
  keepRunningWithoutStdout();
  let code: number | Promise<number>;
  try {
    code = main(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof PidFileError) logger.error(`vigil: ${e.message}`);
    else logger.error(`vigil: ${(e as Error).stack ?? e}`);
    code = 1;
  }
  Promise.resolve(code).then(
    (c) => {
      process.exitCode = c;
    },
    (e: unknown) => {
      logger.error(`vigil: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
