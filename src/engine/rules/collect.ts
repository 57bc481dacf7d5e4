// Merges definitions across files, in load order, as Falco's collector does:
// a later definition with the same name replaces the earlier one but keeps its
// place in the order; `append` and `override` change an earlier definition in
// place; a rule item with only `enabled:` toggles an earlier rule.
import type { Priority } from '../priority';
import type { ExceptionDef, ListDef, MacroDef, RuleDef, TextTree } from './items';
import type { Diagnostics } from './yamlReader';
import { errorAt, MappedText, type Where } from './sourceText';

export interface ListEntry {
  name: string;
  label: string;
  where: Where;
  items: { text: string; where: Where }[];
}

export interface MacroEntry {
  name: string;
  label: string;
  where: Where;
  condition: MappedText;
}

export interface RuleEntry {
  name: string;
  label: string;
  where: Where;
  source: string;
  /** the source is not one the engine knows: kept so appends still work, never compiled */
  unknownSource: boolean;
  condition: MappedText;
  output: MappedText;
  desc: string;
  priority: Priority;
  tags: string[];
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  capture: boolean;
  captureDuration: number;
  exceptions: ExceptionDef[];
}

export const DEFAULT_SOURCE = 'syscall';

export class Collector {
  readonly lists = new Map<string, ListEntry>();
  readonly macros = new Map<string, MacroEntry>();
  readonly rules = new Map<string, RuleEntry>();

  constructor(
    private readonly knownSources: ReadonlySet<string>,
    private readonly diag: Diagnostics,
  ) {}

  list(def: ListDef): void {
    const prev = this.lists.get(def.name);
    if (def.append) {
      if (!prev) return this.error(def.where, def.label, "list uses 'append' but no list by that name is defined earlier");
      // a loop, not push(...items): spreading a very long list overflows the stack
      for (const item of def.items) prev.items.push(item);
      return;
    }
    // Map.set on an existing key keeps its insertion position: a redefinition stays in place.
    this.lists.set(def.name, { name: def.name, label: def.label, where: def.where, items: def.items.slice() });
  }

  macro(def: MacroDef): void {
    const prev = this.macros.get(def.name);
    if (def.append) {
      if (!prev) return this.error(def.where, def.label, "macro uses 'append' but no macro by that name is defined earlier");
      prev.condition.append(' ', def.condition);
      return;
    }
    this.macros.set(def.name, { name: def.name, label: def.label, where: def.where, condition: MappedText.of(def.condition) });
  }

  rule(def: RuleDef): void {
    const prev = this.rules.get(def.name);
    // as Falco: a full definition without 'source' is a syscall rule; an 'enabled' or append/override entry has none unless given
    const claimed = def.mode === 'define' ? def.source ?? DEFAULT_SOURCE : def.source;
    if (prev && claimed !== undefined && prev.source !== claimed) {
      return this.error(def.where, def.label, `rule is redefined with a different source ('${claimed}', was '${prev.source}')`);
    }
    if (def.mode === 'enable') {
      if (!prev) return this.error(def.where, def.label, "rule has 'enabled' but no rule by that name is defined earlier");
      if (def.enabled !== undefined) prev.enabled = def.enabled;
      return;
    }
    if (def.mode === 'update') return this.update(prev, def);

    const source = def.source ?? DEFAULT_SOURCE;
    const unknownSource = !this.knownSources.has(source);
    if (unknownSource) this.warn(def.where, def.label, `unknown source '${source}'; rule skipped`);
    this.rules.set(def.name, {
      name: def.name,
      label: def.label,
      where: def.where,
      source,
      unknownSource,
      condition: MappedText.of(def.condition!),
      output: MappedText.of(def.output!, true),
      desc: def.desc ?? '',
      priority: def.priority!,
      tags: def.tags ?? [],
      enabled: def.enabled ?? true,
      warnEvttypes: def.warnEvttypes ?? true,
      skipIfUnknownFilter: def.skipIfUnknownFilter ?? false,
      capture: def.capture ?? false,
      captureDuration: def.captureDuration ?? 0,
      exceptions: def.exceptions ?? [],
    });
  }

  private update(prev: RuleEntry | undefined, def: RuleDef): void {
    if (!prev) {
      const how = [...def.ops.values()].includes('append') ? "uses 'append'" : "has an 'override: replace'";
      return this.error(def.where, def.label, `rule ${how} but no rule by that name is defined earlier`);
    }
    for (const [key, op] of def.ops) {
      const append = op === 'append';
      switch (key) {
        case 'condition':
          if (append) prev.condition.append(' ', def.condition!);
          else prev.condition = MappedText.of(def.condition!);
          break;
        case 'output':
          if (append) prev.output.append(' ', def.output!, true);
          else prev.output = MappedText.of(def.output!, true);
          break;
        case 'desc':
          prev.desc = append ? `${prev.desc} ${def.desc}` : def.desc!;
          break;
        case 'tags':
          prev.tags = append ? [...new Set([...prev.tags, ...def.tags!])] : def.tags!;
          break;
        case 'exceptions':
          if (append) this.appendExceptions(prev, def);
          else prev.exceptions = def.exceptions!;
          break;
        case 'priority':
          prev.priority = def.priority!;
          break;
        case 'enabled':
          prev.enabled = def.enabled!;
          break;
        case 'warn_evttypes':
          prev.warnEvttypes = def.warnEvttypes!;
          break;
        case 'skip-if-unknown-filter':
          prev.skipIfUnknownFilter = def.skipIfUnknownFilter!;
          break;
        case 'capture':
          prev.capture = def.capture!;
          break;
        case 'capture_duration':
          prev.captureDuration = def.captureDuration!;
          break;
      }
    }
  }

  /** New exceptions are added; values for an existing exception (by name) are appended to it. */
  private appendExceptions(prev: RuleEntry, def: RuleDef): void {
    const merged: ExceptionDef[] = prev.exceptions.map((e) => ({ ...e, values: e.values?.slice() }));
    for (const ex of def.exceptions!) {
      const old = merged.find((e) => e.name === ex.name);
      if (!old) {
        if (!ex.fields) {
          this.error(ex.where, def.label, `appended exception '${ex.name}' is new, so it needs 'fields'`);
          continue;
        }
        if (!ex.values || ex.values.length === 0) {
          this.error(ex.where, def.label, `appended exception '${ex.name}' is new, so it needs 'values'`);
          continue;
        }
        merged.push(ex);
        continue;
      }
      if (ex.fields || ex.comps) {
        this.error(firstWhere(ex.fields, ex.comps, ex.where), def.label, `cannot append fields or comps to existing exception '${ex.name}', only values`);
        continue;
      }
      if (!ex.values || ex.values.length === 0) {
        this.warn(ex.where, def.label, `appending to exception '${ex.name}' with no values`);
        continue;
      }
      old.values = [...(old.values ?? []), ...ex.values];
    }
    prev.exceptions = merged;
  }

  private error(where: Where, label: string, message: string): void {
    this.diag.errors.push(errorAt(where, message, label));
  }

  private warn(where: Where, label: string, message: string): void {
    this.diag.warnings.push(errorAt(where, message, label));
  }
}

function firstWhere(a: TextTree | undefined, b: TextTree | undefined, fallback: Where): Where {
  return a?.where ?? b?.where ?? fallback;
}
