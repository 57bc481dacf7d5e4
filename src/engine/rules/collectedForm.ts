// The merged definitions of a load (collect.ts) as structured-clone data, so
// that another thread (an audit evaluation worker) builds the same rules
// without reading the YAML again: reading and merging a big rules file costs
// more time and memory than compiling what comes out of it. Only the rules
// of the sources asked for travel, with every macro and list (a macro names
// no source). Files travel once, whole, so errors still name file:line:col.
import type { Diagnostics } from './yamlReader';
import { Collector, type ListEntry, type MacroEntry, type RuleEntry } from './collect';
import { MappedText, RulesFile } from './sourceText';

export interface CollectedForm {
  files: { name: string; content: string }[];
  lists: unknown[];
  macros: unknown[];
  rules: unknown[];
}

const FILE = '$file';
const MAPPED = '$mapped';

function encode(v: unknown, fileIndex: (f: RulesFile) => number): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof RulesFile) return { [FILE]: fileIndex(v) };
  if (v instanceof MappedText) return { [MAPPED]: v.toPlain(fileIndex) };
  if (Array.isArray(v)) return v.map((x) => encode(x, fileIndex));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = encode(x, fileIndex);
  return out;
}

function decode(v: unknown, files: readonly RulesFile[]): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decode(x, files));
  const o = v as Record<string, unknown>;
  if (FILE in o) return files[o[FILE] as number];
  if (MAPPED in o) return MappedText.fromPlain(o[MAPPED] as Parameters<typeof MappedText.fromPlain>[0], files);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decode(x, files);
  return out;
}

/** `collector`'s definitions, with the rules of `sources` only. */
export function collectedForm(files: readonly RulesFile[], collector: Collector, sources: ReadonlySet<string>): CollectedForm {
  const index = new Map(files.map((f, i) => [f, i]));
  const fileIndex = (f: RulesFile): number => {
    const i = index.get(f);
    if (i === undefined) throw new Error(`internal: a definition from '${f.name}', which is not one of the load's files`);
    return i;
  };
  return {
    files: files.map((f) => ({ name: f.name, content: f.content })),
    lists: [...collector.lists.values()].map((l) => encode(l, fileIndex)),
    macros: [...collector.macros.values()].map((m) => encode(m, fileIndex)),
    rules: [...collector.rules.values()].filter((r) => sources.has(r.source)).map((r) => encode(r, fileIndex)),
  };
}

/** The files and a collector holding the form's definitions, as collect.ts left them. */
export function collectorFrom(form: CollectedForm, knownSources: ReadonlySet<string>, diag: Diagnostics): { files: RulesFile[]; collector: Collector } {
  const files = form.files.map((f) => new RulesFile(f.name, f.content));
  const collector = new Collector(knownSources, diag);
  for (const l of form.lists) {
    const e = decode(l, files) as ListEntry;
    collector.lists.set(e.name, e);
  }
  for (const m of form.macros) {
    const e = decode(m, files) as MacroEntry;
    collector.macros.set(e.name, e);
  }
  for (const r of form.rules) {
    const e = decode(r, files) as RuleEntry;
    collector.rules.set(e.name, { ...e, unknownSource: !knownSources.has(e.source) });
  }
  return { files, collector };
}
