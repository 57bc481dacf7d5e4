// The engine facade: load rules files for a set of sources, change which rules
// are enabled, and hand out one Ruleset per source for matching events.
//
// Loading more than once: each call adds its files' definitions on top of
// everything loaded before (as if the files came after the earlier ones) and
// recompiles the whole set. Enablement changes made through enableRules and
// keepOnlyTags are forgotten by such a reload, and errors already returned
// by an earlier call are not returned again.
import type { CompiledRule } from './compiledRule';
import type { OutputAppend } from './outputAppend';
import { withStaticFields } from './staticFields';
import { RulesError } from './errors';
import { Ruleset } from './ruleset';
import type { Source } from './source';
import { Collector } from './rules/collect';
import { type CollectedForm, collectedForm, collectorFrom } from './rules/collectedForm';
import { compileRules, readRulesFiles, type Requirements } from './rules/load';
import { readRulesInputs } from './rules/rulesInput';
import { RulesFile } from './rules/sourceText';
import type { Diagnostics } from './rules/yamlReader';

export { ENGINE_VERSION } from './rules/engineVersion';
export type { CompiledRule } from './compiledRule';

export interface LoadResult {
  errors: RulesError[];
  warnings: RulesError[];
  /** verbose-level remarks (e.g. plugin requirements that do not apply) */
  notes: RulesError[];
}

export interface Definitions {
  requirements: Requirements;
  macros: { name: string; condition: string }[];
  lists: { name: string; items: string[] }[];
}
export class Engine {
  private readonly sources = new Map<string, Source<any>>();
  private readonly files: RulesFile[] = [];
  private readonly reported = new Set<string>();
  private readonly rulesets = new Map<string, Ruleset<any>>();
  private bySource = new Map<string, CompiledRule<any>[]>();
  private compiled: CompiledRule<any>[] = [];
  private readonly contentRead: { name: string; content: string }[] = [];
  private defs: Definitions = { requirements: { plugins: [] }, macros: [], lists: [] };
  /** the merged definitions of the last load (collectedForm) */
  private collector: Collector | undefined;

  /**
   * `appends`: Falco's append_output entries, applied to every rule's output
   * as it compiles (outputAppend.ts); `staticFields`: Falco's static_fields,
   * fields `static.<name>` of every source (staticFields.ts).
   */
  constructor(
    sources: Source<any>[],
    private readonly options: { appends?: readonly OutputAppend[]; staticFields?: Readonly<Record<string, string>> } = {},
  ) {
    for (const plain of sources) {
      const s = withStaticFields(plain, options.staticFields ?? {});
      if (this.sources.has(s.name)) throw new Error(`source '${s.name}' is given twice`);
      this.sources.set(s.name, s);
    }
  }

  /**
   * Every file loaded so far, in load order, as read: loading this list into a
   * new Engine with the same sources gives the same rules (evaluation workers).
   */
  get loadedContent(): readonly { name: string; content: string }[] {
    return this.contentRead;
  }

  /** the append_output entries the rules were compiled with */
  get appends(): readonly OutputAppend[] {
    return this.options.appends ?? [];
  }

  /** the static_fields the sources were given */
  get staticFields(): Readonly<Record<string, string>> {
    return this.options.staticFields ?? {};
  }

  /** in definition order */
  get rules(): readonly CompiledRule<any>[] {
    return this.compiled;
  }

  /** the macros, lists and requirements of everything loaded, as merged (for describing) */
  get definitions(): Definitions {
    return this.defs;
  }

  /**
   * Files and directories (a directory: its *.yaml/*.yml files sorted by
   * name), loaded in order; only regular files up to MAX_RULES_FILE_BYTES.
   */
  loadRulesFiles(paths: string[]): LoadResult {
    const { files, errors } = readRulesInputs(paths);
    const result = this.loadRulesContent(files);
    result.errors.unshift(...errors);
    return result;
  }

  /** Same as loadRulesFiles, for content in memory (tests, validation of stdin). */
  loadRulesContent(files: { name: string; content: string }[]): LoadResult {
    for (const f of files) {
      this.files.push(new RulesFile(f.name, f.content));
      this.contentRead.push({ name: f.name, content: f.content });
    }
    // Every load recompiles from all files so far: definitions of later files can change earlier ones.
    const diag: Diagnostics = { errors: [], warnings: [] };
    const notes: RulesError[] = [];
    const collector = new Collector(new Set(this.sources.keys()), diag);
    const plugins = new Map<string, { source: string; version: string }>();
    for (const src of this.sources.values()) for (const [p, version] of Object.entries(src.plugins ?? {})) plugins.set(p, { source: src.name, version });
    const requirements: Requirements = { plugins: [] };
    readRulesFiles(this.files, collector, diag, notes, plugins, requirements);
    return this.install(collector, diag, notes, requirements);
  }

  /**
   * The merged definitions of everything loaded, with the rules of `sources`
   * only, as structured-clone data: loadCollected in a new Engine with those
   * sources (and the same options) builds the same rules without the YAML.
   */
  collectedForm(sources: readonly string[]): CollectedForm {
    // nothing loaded yet: no definitions
    if (!this.collector) return { files: [], lists: [], macros: [], rules: [] };
    return collectedForm(this.files, this.collector, new Set(sources));
  }

  /** Builds the rules of another engine's collectedForm (an evaluation worker's load). */
  loadCollected(form: CollectedForm): LoadResult {
    const diag: Diagnostics = { errors: [], warnings: [] };
    const { files, collector } = collectorFrom(form, new Set(this.sources.keys()), diag);
    this.files.push(...files);
    for (const f of form.files) this.contentRead.push(f);
    // the macros no sent rule uses were checked where the form was made, for every source
    return this.install(collector, diag, [], { plugins: [] }, false);
  }

  private install(collector: Collector, diag: Diagnostics, notes: RulesError[], requirements: Requirements, checkUnreached = true): LoadResult {
    this.collector = collector;
    this.compiled = compileRules(collector, this.sources, diag, this.options.appends ?? [], checkUnreached);
    this.defs = {
      requirements,
      macros: [...collector.macros.values()].map((m) => ({ name: m.name, condition: m.condition.text })),
      lists: [...collector.lists.values()].map((l) => ({ name: l.name, items: l.items.map((i) => i.text) })),
    };
    this.bySource = new Map();
    for (const r of this.compiled) {
      let list = this.bySource.get(r.source);
      if (!list) this.bySource.set(r.source, (list = []));
      list.push(r);
    }
    this.changed();
    return { errors: this.fresh(diag.errors), warnings: this.fresh(diag.warnings), notes: this.fresh(notes) };
  }

  /** Errors not returned before: one per place and message. */
  private fresh(list: RulesError[]): RulesError[] {
    const out: RulesError[] = [];
    for (const e of list) {
      const key = e.format();
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      out.push(e);
    }
    return out;
  }

  /**
   * Enables or disables the rules that meet every criterion given: exact
   * `name`, `substring` of the name (-D), any of `tags` (-T). Returns how many
   * rules matched.
   */
  enableRules(match: { name?: string; substring?: string; tags?: string[] }, enabled: boolean): number {
    if (match.name === undefined && match.substring === undefined && match.tags === undefined) {
      throw new Error('enableRules needs a name, a substring or tags');
    }
    let n = 0;
    for (const r of this.compiled) {
      if (match.name !== undefined && r.name !== match.name) continue;
      if (match.substring !== undefined && !r.name.includes(match.substring)) continue;
      if (match.tags !== undefined && !match.tags.some((t) => r.tags.includes(t))) continue;
      r.enabled = enabled;
      n++;
    }
    this.changed();
    return n;
  }

  /** -t: disables every rule that has none of these tags. */
  keepOnlyTags(tags: string[]): void {
    for (const r of this.compiled) {
      if (!tags.some((t) => r.tags.includes(t))) r.enabled = false;
    }
    this.changed();
  }

  /** The ruleset of a known source (empty when it has no rules). */
  ruleset<E>(source: string): Ruleset<E> {
    let rs = this.rulesets.get(source);
    if (!rs) {
      const s = this.sources.get(source);
      if (!s) throw new Error(`unknown source '${source}' (known: ${this.sourceNames().join(', ')})`);
      rs = new Ruleset<E>(s, () => (this.bySource.get(source) ?? []) as CompiledRule<E>[]);
      this.rulesets.set(source, rs);
    }
    return rs as Ruleset<E>;
  }

  sourceNames(): string[] {
    return [...this.sources.keys()];
  }

  private changed(): void {
    for (const rs of this.rulesets.values()) rs.invalidate();
  }
}
