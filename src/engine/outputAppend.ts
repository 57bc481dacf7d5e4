// Falco's append_output, applied as rules compile: each entry whose match
// holds for a rule (its source, all of its tags, its name; an empty match
// holds for every rule) adds to the rule's output, in the order the entries
// are given: `format` after a space, the source's suggested fields the output
// does not print yet, and output fields shown only in JSON (`fields`).
import { compileOutput, type CompiledOutput } from './outputFormat';
import type { Source } from './source';
import { withSuggestedFields } from './suggestedOutput';

export interface OutputAppend {
  source?: string;
  /** the rule must have every one of these */
  tags?: readonly string[];
  rule?: string;
  /** appended to the output after a space (extra_output) */
  format?: string;
  /** the source's suggested output fields (suggested_output) */
  suggested?: boolean;
  /** output_fields only (extra_fields) */
  fields?: readonly ExtraField[];
}

/** `raw`: the field named by `key`, with its own type; else `format` rendered as text under `key`. */
export interface ExtraField {
  key: string;
  format: string;
  raw: boolean;
}

export interface RuleIdentity {
  name: string;
  source: string;
  tags: readonly string[];
}

export function appliesTo(a: OutputAppend, rule: RuleIdentity): boolean {
  if (a.source !== undefined && a.source !== rule.source) return false;
  if (a.rule !== undefined && a.rule !== rule.name) return false;
  return (a.tags ?? []).every((t) => rule.tags.includes(t));
}

/** The rule's output text with the matching entries' text appended, and their extra fields (a later key replaces an earlier one). */
export function appendedOutput(output: string, rule: RuleIdentity, source: Source<any>, appends: readonly OutputAppend[]): { text: string; fields: ExtraField[] } {
  let text = output;
  const fields = new Map<string, ExtraField>();
  for (const a of appends) {
    if (!appliesTo(a, rule)) continue;
    if (a.format !== undefined && a.format !== '') text = `${text.trimEnd()} ${a.format}`;
    if (a.suggested && source.suggestedOutputFields) text = withSuggestedFields(text, source.suggestedOutputFields);
    for (const f of a.fields ?? []) fields.set(f.key, f);
  }
  return { text, fields: [...fields.values()] };
}

/**
 * `output` whose JSON fields also hold the extra fields. Compiled once; throws
 * the compile error of a field that the source lacks.
 */
export function withExtraFields<E>(output: CompiledOutput<E>, extras: readonly ExtraField[], source: Source<E>): CompiledOutput<E> {
  if (extras.length === 0) return output;
  const compiled = extras.map((f) => ({ key: f.key, raw: f.raw, out: compileOutput(f.raw ? `%${f.format}` : f.format, source), name: f.format }));
  return {
    render: (evt) => output.render(evt),
    fields(evt) {
      const out = output.fields(evt);
      for (const c of compiled) out[c.key] = c.raw ? (c.out.fields(evt)[c.name] ?? null) : c.out.render(evt);
      return out;
    },
  };
}
