// The loader's steps, in order: read each file's YAML and decode its items
// (yamlReader, decode), merge them across files (collect), then compile:
// flatten lists, parse macros and check them for cycles, and compile every
// rule of a known source with its exceptions and output. Each step records
// every problem it finds and goes on, so one load reports all errors.
import type { BoolExpr } from '../ast';
import { compileCondition, type CompiledCondition } from '../compile';
import type { CompileContext, SharedMacro } from '../compileContext';
import type { CompiledRule } from '../compiledRule';
import { ConditionError, RulesError } from '../errors';
import { UnknownEventTypeError } from '../evttypes';
import { UnknownFieldError } from '../fieldResolve';
import { compileOutput, type CompiledOutput } from '../outputFormat';
import { appendedOutput, type OutputAppend, withExtraFields } from '../outputAppend';
import { parseCondition, UnknownOperatorError } from '../parser';
import type { Source } from '../source';
import { astRefs } from './astRefs';
import { Collector, type MacroEntry, type RuleEntry } from './collect';
import { decodeItem } from './decode';
import type { Def } from './items';
import { ENGINE_VERSION, compareVersions, parseEngineVersion, versionSatisfies } from './engineVersion';
import { applyExceptions } from './exceptions';
import { resolveLists } from './listResolve';
import { missingFields } from './missingFields';
import { errorAt, type MappedText, type RulesFile } from './sourceText';
import type { LegacyUse } from '../legacyListForms';
import { readRulesYaml, type Diagnostics } from './yamlReader';
import { decodeInSlices } from './yamlChunks';

/** What the files require, as read (for `-L` with json_output). */
export interface Requirements {
  /** the highest required_engine_version, as written */
  engineVersion?: string;
  plugins: { name: string; version: string; alternatives: { name: string; version: string }[] }[];
}

/**
 * `%container.info`: Falco up to 0.40 put the container's name and id there
 * (`container_id=%container.id container_name=%container.name`, or the -pc/-pk
 * format); since its container plugin adds those fields to every output
 * (suggested output, as Vigil does), it prints nothing there and warns.
 */
const CONTAINER_INFO = '%container.info';
const CONTAINER_INFO_WARNING =
  '%container.info is deprecated and prints nothing, as in Falco 0.41 and later: the container fields (container_id=%container.id container_name=%container.name ...) are appended to every syscall output (append_output suggested_output)';

/**
 * Reads files in order into the collector. `plugins` maps the Falco plugins
 * that sources have built in to those sources' names.
 */
export function readRulesFiles(
  files: readonly RulesFile[],
  collector: Collector,
  diag: Diagnostics,
  notes: RulesError[],
  plugins: ReadonlyMap<string, { source: string; version: string }>,
  requirements: Requirements = { plugins: [] },
): void {
  const engine = parseEngineVersion(ENGINE_VERSION);
  let highest: [number, number, number] | undefined;
  for (const file of files) {
    for (const def of fileDefs(file, diag)) {
      if (!def) continue;
      switch (def.kind) {
        case 'plugin_versions':
          for (const req of def.requirements) {
            requirements.plugins.push({ name: req.name, version: req.version, alternatives: req.alternatives });
            const candidates = [{ name: req.name, version: req.version }, ...req.alternatives];
            const provided = candidates.filter((c) => plugins.has(c.name));
            const by = provided.find((c) => versionSatisfies(plugins.get(c.name)!.version, c.version));
            const what = `required plugin '${req.name}' ${req.version}`;
            if (by) {
              const alt = by.name === req.name ? '' : ` (its alternative '${by.name}')`;
              const p = plugins.get(by.name)!;
              notes.push(errorAt(req.where, `${what}: satisfied by the built-in ${p.source} source, which has the fields of ${by.name} ${p.version}${alt}`, 'required_plugin_versions'));
            } else if (provided.length > 0) {
              // as Falco with the plugin loaded at a version that does not satisfy the requirement
              const have = provided.map((c) => `${c.name} ${plugins.get(c.name)!.version} (needs ${c.version})`).join(', ');
              diag.errors.push(errorAt(req.where, `${what} is not met: the built-in ${plugins.get(provided[0].name)!.source} source has the fields of ${have}`, 'required_plugin_versions'));
            } else {
              // Rules needing a plugin no source stands in for fail later on their unknown source or fields.
              const alts = req.alternatives.length > 0 ? ` nor its alternatives ${req.alternatives.map((a) => `'${a.name}'`).join(', ')}` : '';
              diag.warnings.push(errorAt(req.where, `${what} is not available: no built-in source provides it${alts}`, 'required_plugin_versions'));
            }
          }
          break;
        case 'engine_version':
          if (!highest || compareVersions(def.version, highest) > 0) {
            highest = def.version;
            requirements.engineVersion = def.version.join('.');
          }
          if (compareVersions(def.version, engine) > 0) {
            diag.errors.push(errorAt(def.where, `rules require engine version ${def.text}, but the engine version is ${ENGINE_VERSION}`, 'required_engine_version'));
          }
          break;
        case 'list':
          collector.list(def);
          break;
        case 'macro':
          collector.macro(def);
          break;
        case 'rule':
          collector.rule(def);
          break;
      }
    }
  }
}

/**
 * A file's items decoded in order, each one's errors and warnings reported
 * just before it, as reading it whole would; a big file is parsed in slices
 * (yamlChunks.ts).
 */
function* fileDefs(file: RulesFile, diag: Diagnostics): Generator<Def | undefined> {
  const sliced = decodeInSlices(file, decodeItem);
  if (!sliced) {
    for (const raw of readRulesYaml(file, diag)) yield decodeItem(raw, diag);
    return;
  }
  for (const item of sliced) {
    for (const e of item.diag.errors) diag.errors.push(e);
    for (const w of item.diag.warnings) diag.warnings.push(w);
    yield item.value;
  }
}

interface ParsedMacro {
  entry: MacroEntry;
  ast: BoolExpr;
  refs: Set<string>;
}

/**
 * Compiles everything collected into rules, in definition order. `checkUnreached`:
 * compile the macros no rule uses too, for their errors (off where definitions
 * already checked are built again for some sources only: an evaluation worker).
 */
export function compileRules(
  collector: Collector,
  sources: ReadonlyMap<string, Source<any>>,
  diag: Diagnostics,
  appends: readonly OutputAppend[] = [],
  checkUnreached = true,
): CompiledRule<any>[] {
  const lists = resolveLists(collector.lists, diag.errors);
  const macros = parseMacros(collector, diag);
  const macroAsts = new Map<string, BoolExpr>();
  for (const [name, m] of macros) macroAsts.set(name, m.ast);

  const rules: CompiledRule<any>[] = [];
  const usedMacros = new Set<string>();
  const usedLists = new Set<string>();
  const reachedByAnyRule = new Set<string>();
  // per source: a macro compiles to different checks for each source's fields
  const shared = new Map<string, Map<string, SharedMacro<any>>>();
  for (const entry of collector.rules.values()) {
    if (entry.unknownSource) continue;
    const source = sources.get(entry.source)!;
    let sharedMacros = shared.get(source.name);
    if (!sharedMacros) shared.set(source.name, (sharedMacros = new Map()));
    const ctx = { source, macros: macroAsts, lists: lists.items, sharedMacros };
    const compiled = compileRule(entry, ctx, collector, macros, diag, reachedByAnyRule, appends);
    if (!compiled) continue;
    rules.push(compiled.rule);
    if (!compiled.rule.enabled) continue;
    for (const m of compiled.macros) usedMacros.add(m);
    for (const l of compiled.lists) if (collector.lists.has(l)) usedLists.add(l);
  }

  if (checkUnreached) checkUnreachedMacros(macros, reachedByAnyRule, sources, macroAsts, lists.items, diag);
  for (const l of [...usedLists]) for (const inner of lists.includes.get(l) ?? []) usedLists.add(inner);
  for (const m of collector.macros.values()) {
    if (!usedMacros.has(m.name)) diag.warnings.push(errorAt(m.where, 'macro not used by any enabled rule', m.label));
  }
  for (const l of collector.lists.values()) {
    if (!usedLists.has(l.name)) diag.warnings.push(errorAt(l.where, 'list not used by any enabled rule', l.label));
  }
  return rules;
}

/**
 * Compiles the macros no rule reached, as Falco compiles every macro: an
 * unknown field or a bad value there is an error even if nothing uses it.
 * A macro names no source, so it is correct when it compiles for one of them.
 */
function checkUnreachedMacros(
  macros: ReadonlyMap<string, ParsedMacro>,
  reached: ReadonlySet<string>,
  sources: ReadonlyMap<string, Source<any>>,
  macroAsts: ReadonlyMap<string, BoolExpr>,
  lists: ReadonlyMap<string, readonly string[]>,
  diag: Diagnostics,
): void {
  const checked = new Set<string>();
  for (const [name, m] of macros) {
    if (reached.has(name) || checked.has(name)) continue;
    let first: unknown;
    let ok = false;
    for (const source of sources.values()) {
      try {
        const c = compileCondition(m.ast, { source, macros: macroAsts, lists });
        for (const inner of c.usedMacros) checked.add(inner);
        ok = true;
        break;
      } catch (err) {
        first ??= err;
      }
    }
    if (ok || first === undefined) continue;
    const inner = first instanceof ConditionError && first.macro ? macros.get(first.macro) : undefined;
    const owner = inner ?? m;
    const e = conditionError(first, owner.entry.condition, owner.entry.label);
    if (!diag.errors.some((x) => x.format() === e.format())) diag.errors.push(e);
  }
}

/** Parses every macro; macros that fail to parse or sit on a cycle are left out (their errors recorded). */
function parseMacros(collector: Collector, diag: Diagnostics): Map<string, ParsedMacro> {
  const parsed = new Map<string, ParsedMacro>();
  for (const entry of collector.macros.values()) {
    try {
      const ast = parseCondition(entry.condition.text);
      parsed.set(entry.name, { entry, ast, refs: new Set(astRefs(ast).macros.keys()) });
    } catch (err) {
      diag.errors.push(conditionError(err, entry.condition, entry.label));
    }
  }

  const onCycle = new Set<string>();
  const done = new Set<string>();
  const chain: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const m = parsed.get(name)!;
    chain.push(name);
    for (const [ref, pos] of astRefs(m.ast).macros) {
      if (!parsed.has(ref)) continue;
      const at = chain.indexOf(ref);
      if (at >= 0) {
        const cycle = [...chain.slice(at), ref];
        diag.errors.push(m.entry.condition.error(pos.offset, `macro cycle: ${cycle.join(' -> ')}`, m.entry.label));
        for (const c of chain.slice(at)) onCycle.add(c);
        continue;
      }
      visit(ref);
    }
    chain.pop();
    done.add(name);
  };
  for (const name of parsed.keys()) visit(name);
  for (const name of onCycle) parsed.delete(name);
  return parsed;
}

function compileRule(
  entry: RuleEntry,
  ctx: CompileContext<any>,
  collector: Collector,
  macros: ReadonlyMap<string, ParsedMacro>,
  diag: Diagnostics,
  /** gets every macro the rule reaches, compiled or not: their errors are the rule's */
  reachedByAnyRule: Set<string>,
  appends: readonly OutputAppend[],
): { rule: CompiledRule<any>; macros: Set<string>; lists: Set<string> } | undefined {
  const source = ctx.source;
  const text = entry.condition.clone();
  let ast: BoolExpr;
  try {
    ast = parseCondition(text.text);
  } catch (err) {
    diag.errors.push(conditionError(err, text, entry.label));
    return undefined;
  }
  const withExceptions = applyExceptions(ast, entry.exceptions, text, entry.label, diag.errors);
  if (!withExceptions) return undefined;

  // Macros this rule reaches; one that failed on its own (error already recorded) skips the rule quietly.
  const reached = new Set<string>();
  const listNames = new Set<string>();
  const pending = [withExceptions];
  while (pending.length > 0) {
    const refs = astRefs(pending.pop()!);
    for (const l of refs.listNames) listNames.add(l);
    for (const name of refs.macros.keys()) {
      if (reached.has(name)) continue;
      const m = macros.get(name);
      if (!m) {
        if (collector.macros.has(name)) return undefined;
        continue;
      }
      reached.add(name);
      pending.push(m.ast);
    }
  }

  for (const m of reached) reachedByAnyRule.add(m);
  let condition: CompiledCondition<any>;
  let output: CompiledOutput<any>;
  // the rule's output as written, less %container.info
  let outputText = entry.output.text;
  try {
    condition = compileCondition(withExceptions, ctx);
  } catch (err) {
    const m = err instanceof ConditionError && err.macro ? macros.get(err.macro) : undefined;
    const asts = [withExceptions, ...[...reached].map((r) => macros.get(r)!.ast)];
    return skipOrFail(err, entry, source, m ? m.entry.condition : text, m ? m.entry.label : entry.label, diag, asts);
  }
  try {
    const info = entry.output.text.indexOf(CONTAINER_INFO);
    if (info >= 0) {
      diag.warnings.push(entry.output.error(info, CONTAINER_INFO_WARNING, entry.label));
      outputText = outputText.split(CONTAINER_INFO).join('');
    }
    output = compileOutput(outputText, source);
  } catch (err) {
    return skipOrFail(err, entry, source, entry.output, entry.label, diag, []);
  }
  const appended = appendedOutput(outputText, entry, source, appends);
  if (appended.text !== outputText || appended.fields.length > 0) {
    // what append_output adds is not in the file: its errors name the text added
    try {
      output = withExtraFields(compileOutput(appended.text, source), appended.fields, source);
    } catch (err) {
      const added = [appended.text.slice(outputText.trimEnd().length).trim(), ...appended.fields.map((f) => f.format)].filter((t) => t !== '');
      diag.errors.push(errorAt(entry.where, `append_output: ${(err as Error).message} in what it adds to this rule's output (${added.map((t) => `'${t}'`).join(', ')})`, entry.label));
      return undefined;
    }
  }

  const evttypes = source.eventTypeField ? condition.evttypes : 'all';
  if (source.eventTypeField && source.eventTypeWarnings !== false && evttypes === 'all' && entry.warnEvttypes) {
    diag.warnings.push(
      errorAt(entry.where, `rule matches all event types: its condition does not restrict ${source.eventTypeField}, so it runs on every event`, entry.label),
    );
  }
  if (condition.legacyUses.length > 0) diag.warnings.push(legacyWarning(condition.legacyUses, entry, text, macros));
  for (const m of condition.usedMacros) reached.add(m);
  for (const l of condition.usedLists) listNames.add(l);

  const rule: CompiledRule<any> = {
    name: entry.name,
    desc: entry.desc,
    source: entry.source,
    priority: entry.priority,
    tags: entry.tags,
    enabled: entry.enabled,
    condition: entry.condition.text,
    outputFormat: entry.output.text,
    output,
    evttypes,
    location: entry.where.file.location(entry.where.offset),
    capture: entry.capture,
    captureDurationMs: entry.captureDuration,
    evaluate: condition.evaluate,
    indexedEvaluate: condition.indexedEvaluate,
  };
  return { rule, macros: reached, lists: listNames };
}

/**
 * A rule with an unknown field is skipped with one warning naming every field
 * its condition lacks when it says `skip-if-unknown-filter: true`; otherwise,
 * as in Falco, that is an error.
 */
function skipOrFail(
  err: unknown,
  entry: RuleEntry,
  source: Source<any>,
  text: MappedText,
  label: string,
  diag: Diagnostics,
  asts: BoolExpr[],
): undefined {
  const e = conditionError(err, text, label);
  // Falco skips on an unknown event type too, but only when the rule asks: the list of names is complete.
  if (err instanceof UnknownEventTypeError && entry.skipIfUnknownFilter) {
    diag.warnings.push(skipped(e, entry, 'skip-if-unknown-filter'));
    return undefined;
  }
  const unknownField = err instanceof UnknownFieldError;
  if (!unknownField || !entry.skipIfUnknownFilter) {
    diag.errors.push(e);
    return undefined;
  }
  const names = [err.field, ...missingFields(asts, source).map((m) => m.name).filter((n) => n !== err.field)];
  const what = names.length === 1 ? `unknown field '${names[0]}'` : `unknown fields ${names.map((n) => `'${n}'`).join(', ')}`;
  diag.warnings.push(new RulesError(`${what}; rule '${entry.name}' skipped (skip-if-unknown-filter)`, e.location, e.item, e.lineText));
  return undefined;
}

/** One warning per rule using seed-era list forms, at the first, naming the modern form of each. */
function legacyWarning(uses: readonly LegacyUse[], entry: RuleEntry, text: MappedText, macros: ReadonlyMap<string, ParsedMacro>): RulesError {
  const first = uses[0];
  const where = first.macro !== undefined ? macros.get(first.macro)!.entry.condition : text;
  const eras = [...new Set(uses.map((u) => u.era))].join(' and ');
  const forms = uses.map((u) => `${u.written}${u.macro !== undefined ? ` (macro '${u.macro}')` : ''} -> ${u.modern}`).join('; ');
  const meaning =
    'a list field with a single-value operator, as Falco ' + eras + " rules wrote it; kept with that version's meaning" +
    (uses.some((u) => u.era === '0.13') ? ' (the field as one text: each element as JSON, joined by spaces)' : '');
  return where.error(first.pos.offset, `${meaning}. Modern form: ${forms}`, entry.label);
}

/** The one warning for a rule skipped because of what `e` reports. */
function skipped(e: RulesError, entry: RuleEntry, why: string): RulesError {
  return new RulesError(`${e.message}; rule '${entry.name}' skipped (${why})`, e.location, e.item, e.lineText);
}

/** A parse or compile error as a RulesError at its place in the file. */
function conditionError(err: unknown, text: MappedText, label: string): RulesError {
  if (err instanceof ConditionError) return text.error(err.pos.offset, err.message, label);
  const message = err instanceof Error ? err.message : String(err);
  return text.error(0, `cannot compile: ${message}`, label);
}
