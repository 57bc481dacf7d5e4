// The `append_output` configuration key, as Falco 0.39+ reads it, and `-p`:
// a sequence of entries, each an optional `match` (`source`, `tags`, `rule`)
// and what to add to the matching rules' outputs: `extra_output` (text),
// `extra_fields` (JSON output fields: `- name: format` or a bare field name)
// and `suggested_output` (the source's suggested fields). A bad entry is a
// ConfigError naming its index and key.
import { ConfigError, type ConfigTree, get } from './config';
import type { ExtraField, OutputAppend } from './engine/outputAppend';

const ENTRY_KEYS = new Set(['match', 'extra_output', 'extra_fields', 'suggested_output']);
const MATCH_KEYS = new Set(['source', 'tags', 'rule']);

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function text(v: unknown, where: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConfigError(`${where}: expected a string, got ${JSON.stringify(v)}`);
}

function readEntry(entry: unknown, where: string, warn: (msg: string) => void): OutputAppend {
  if (!isMap(entry)) throw new ConfigError(`${where}: expected a mapping (match, extra_output, extra_fields, suggested_output), got ${JSON.stringify(entry)}`);
  for (const k of Object.keys(entry)) if (!ENTRY_KEYS.has(k)) throw new ConfigError(`${where}.${k}: unknown key (expected ${[...ENTRY_KEYS].join(', ')})`);
  const out: OutputAppend = {};
  const match = entry.match;
  if (match !== undefined && match !== null) {
    if (!isMap(match)) throw new ConfigError(`${where}.match: expected a mapping (source, tags, rule), got ${JSON.stringify(match)}`);
    for (const k of Object.keys(match)) if (!MATCH_KEYS.has(k)) throw new ConfigError(`${where}.match.${k}: unknown key (expected source, tags or rule)`);
    if (match.source !== undefined && match.source !== null) out.source = text(match.source, `${where}.match.source`);
    if (match.rule !== undefined && match.rule !== null) out.rule = text(match.rule, `${where}.match.rule`);
    if (match.tags !== undefined && match.tags !== null) {
      if (!Array.isArray(match.tags)) throw new ConfigError(`${where}.match.tags: expected a list of tags, got ${JSON.stringify(match.tags)}`);
      out.tags = match.tags.map((t, i) => text(t, `${where}.match.tags[${i}]`));
    }
    if (out.rule !== undefined && out.tags !== undefined && out.tags.length > 0) {
      warn(`warning: ${where}: both a rule (${out.rule}) and tags (${out.tags.join(', ')}): the output is appended only to that rule, and only if it has all those tags`);
    }
  }
  if (entry.extra_output !== undefined && entry.extra_output !== null) out.format = text(entry.extra_output, `${where}.extra_output`);
  if (entry.suggested_output !== undefined && entry.suggested_output !== null) {
    if (typeof entry.suggested_output !== 'boolean') throw new ConfigError(`${where}.suggested_output: expected true or false, got ${JSON.stringify(entry.suggested_output)}`);
    out.suggested = entry.suggested_output;
  }
  const extra = entry.extra_fields;
  if (extra !== undefined && extra !== null) {
    if (!Array.isArray(extra)) throw new ConfigError(`${where}.extra_fields: expected a list, got ${JSON.stringify(extra)}`);
    const fields: ExtraField[] = [];
    extra.forEach((f, i) => {
      const at = `${where}.extra_fields[${i}]`;
      let field: ExtraField;
      if (typeof f === 'string' && f !== '') field = { key: f, format: f, raw: true };
      else if (isMap(f) && Object.keys(f).length === 1) {
        const [key, value] = Object.entries(f)[0];
        field = { key, format: text(value, `${at}.${key}`), raw: false };
      } else throw new ConfigError(`${at}: expected a field name or a mapping of one name to a format, got ${JSON.stringify(f)}`);
      if (fields.some((g) => g.key === field.key)) throw new ConfigError(`${at}: '${field.key}' is given twice`);
      fields.push(field);
    });
    out.fields = fields;
  }
  return out;
}

/** Falco's -p: c/container and k/kubernetes ask for the container and pod fields of syscall rules; anything else is appended to every rule. */
export function printAppend(value: string): OutputAppend {
  if (['c', 'container', 'k', 'kubernetes'].includes(value)) return { source: 'syscall', suggested: true };
  return { format: value };
}

/** The entries of append_output in order, then -p's. */
export function readAppendOutput(config: ConfigTree, print: string | undefined, warn: (msg: string) => void): OutputAppend[] {
  const entries = get<unknown>(config, 'append_output', []);
  if (!Array.isArray(entries)) throw new ConfigError(`append_output: expected a list, got ${JSON.stringify(entries)}`);
  const out = entries.map((e, i) => readEntry(e, `append_output[${i}]`, warn));
  if (print !== undefined) out.push(printAppend(print));
  return out;
}
