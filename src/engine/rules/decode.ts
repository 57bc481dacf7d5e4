// Decodes one top-level YAML item into a definition (items.ts), checking keys
// and value types the way Falco's rules reader does. Every problem is recorded
// with its place; an item with an error yields no definition, and decoding
// goes on so one pass reports every error.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { PRIORITIES, parsePriority } from '../priority';
import {
  RULE_APPENDABLE,
  RULE_REPLACEABLE,
  type Def,
  type ExceptionDef,
  type PluginVersionsDef,
  type RuleDef,
  type RuleFields,
  type RuleKey,
  type TextTree,
} from './items';
import { ItemReader, kindOf, type Diagnostics, type RawItem, type YNode } from './yamlReader';

const LIST_KEYS = new Set(['list', 'items', 'append', 'override']);
const MACRO_KEYS = new Set(['macro', 'condition', 'append', 'override']);
const RULE_KEYS = new Set([
  'rule',
  'condition',
  'output',
  'desc',
  'priority',
  'source',
  'enabled',
  'capture',
  'capture_duration',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'tags',
  'exceptions',
  'override',
  'append',
]);
const EXCEPTION_KEYS = new Set(['name', 'fields', 'comps', 'values']);

/** What decoding one item gave: a definition, or nothing (errors recorded, or an item that defines nothing). */
export function decodeItem(raw: RawItem, diag: Diagnostics): Def | undefined {
  const r = new ItemReader(raw, undefined, diag);
  const errorsBefore = diag.errors.length;
  let def: Def | undefined;
  if (r.has('required_engine_version')) {
    r.label = 'required_engine_version';
    def = engineVersion(r);
    warnUnknownKeys(r, new Set(['required_engine_version']));
  } else if (r.has('required_plugin_versions')) {
    r.label = 'required_plugin_versions';
    def = pluginVersions(r);
    warnUnknownKeys(r, new Set(['required_plugin_versions']));
  } else if (r.has('list')) {
    def = list(r);
  } else if (r.has('macro')) {
    def = macro(r);
  } else if (r.has('rule')) {
    def = rule(r);
  } else {
    const first = r.keys()[0];
    r.warn(first?.where ?? r.where, `unknown top-level item '${first?.key ?? ''}' (expected rule, macro, list, required_engine_version or required_plugin_versions); ignored`);
  }
  return diag.errors.length === errorsBefore ? def : undefined;
}

function warnUnknownKeys(r: ItemReader, known: Set<string>): void {
  for (const { key, where } of r.keys()) {
    if (!known.has(key)) r.warn(where, `unknown key '${key}'; ignored`);
  }
}

function engineVersion(r: ItemReader): Def | undefined {
  const text = r.string('required_engine_version');
  if (text === undefined) return undefined;
  const t = text.trim();
  let version: [number, number, number] | undefined;
  // A bare number is the old engine version scheme: N means 0.N.0.
  if (/^\d+$/.test(t)) version = [0, Number(t), 0];
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(t);
  if (m) version = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!version) {
    r.error(r.whereOf('required_engine_version'), `cannot parse engine version '${t}': expected a number or x.y.z`);
    return undefined;
  }
  return { kind: 'engine_version', where: r.whereOf('required_engine_version'), text: t, version };
}

function pluginVersions(r: ItemReader): PluginVersionsDef | undefined {
  const n = r.node('required_plugin_versions');
  if (!isSeq(n)) {
    r.error(r.whereOf('required_plugin_versions'), `'required_plugin_versions' must be a sequence, not a ${kindOf(n)}`);
    return undefined;
  }
  const requirements: PluginVersionsDef['requirements'] = [];
  for (const p of r.seqItems(n)) {
    const where = r.at(p as Node);
    if (!isMap(p)) {
      r.error(where, `each plugin requirement must be a mapping with name and version, not a ${kindOf(p)}`);
      continue;
    }
    const name = p.get('name', true);
    const version = p.get('version', true);
    if (!isScalar(name) || !isScalar(version)) {
      r.error(where, 'plugin requirement needs a name and a version');
      continue;
    }
    const alternatives: { name: string; version: string }[] = [];
    const alts = p.get('alternatives', true);
    if (isSeq(alts)) {
      for (const a of alts.items) {
        const altName = isMap(a) ? a.get('name', true) : undefined;
        const altVersion = isMap(a) ? a.get('version', true) : undefined;
        if (isScalar(altName)) alternatives.push({ name: String(altName.value), version: isScalar(altVersion) ? String(altVersion.value) : '0.0.0' });
      }
    }
    requirements.push({ name: String(name.value), version: String(version.value), alternatives, where });
  }
  return { kind: 'plugin_versions', requirements };
}

/** `override:` as a map from key to operation, checked against what each key allows. */
function overrides(r: ItemReader, appendable: readonly string[], replaceable: readonly string[]): Map<string, 'append' | 'replace'> {
  const ops = new Map<string, 'append' | 'replace'>();
  if (!r.has('override')) return ops;
  const n = r.node('override');
  if (!isMap(n)) {
    r.error(r.whereOf('override'), `'override' must be a mapping of key: append|replace, not a ${kindOf(n)}`);
    return ops;
  }
  for (const pair of n.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const v = pair.value;
    const where = r.at((v ?? pair.key) as Node);
    const op = isScalar(v) ? String(v.value) : '';
    if (op === 'append') {
      if (!appendable.includes(key)) {
        r.error(r.at(pair.key as Node), `key '${key}' cannot be appended to${replaceable.includes(key) ? ", use 'replace' instead" : ''}`);
        continue;
      }
    } else if (op === 'replace') {
      if (!replaceable.includes(key)) {
        r.error(r.at(pair.key as Node), `key '${key}' cannot be replaced`);
        continue;
      }
    } else {
      const allowed = [appendable.includes(key) ? 'append' : '', replaceable.includes(key) ? 'replace' : ''].filter(Boolean);
      r.error(where, `invalid override operation for key '${key}': '${op}' (expected ${allowed.join(' or ') || 'no override: the key cannot be overridden'})`);
      continue;
    }
    ops.set(key, op);
  }
  return ops;
}

/** Keys named under `override:`, valid or not. */
function overrideKeys(r: ItemReader): Set<string> {
  const n = r.node('override');
  const keys = new Set<string>();
  if (isMap(n)) for (const pair of n.items) if (isScalar(pair.key)) keys.add(String(pair.key.value));
  return keys;
}

function name(r: ItemReader, kind: 'list' | 'macro' | 'rule'): string | undefined {
  const n = r.string(kind);
  if (n !== undefined) r.label = `${kind} '${n}'`;
  else r.label = kind;
  return n;
}

function appendFlag(r: ItemReader, ops: Map<string, string>): boolean {
  const append = r.has('append') ? (r.bool('append') ?? false) : false;
  if (append && ops.size > 0) {
    r.error(r.whereOf('append'), "keys 'override' and 'append: true' cannot be used together; use an 'append' entry under 'override'");
  }
  return append;
}

function list(r: ItemReader): Def | undefined {
  const listName = name(r, 'list');
  const items = r.has('items') ? r.strings('items') : (r.error(r.where, "missing required key 'items'"), undefined);
  const ops = overrides(r, ['items'], ['items']);
  const append = appendFlag(r, ops) || ops.get('items') === 'append';
  warnUnknownKeys(r, LIST_KEYS);
  if (listName === undefined || items === undefined) return undefined;
  return { kind: 'list', name: listName, label: r.label!, where: r.where, items, append };
}

function macro(r: ItemReader): Def | undefined {
  const macroName = name(r, 'macro');
  const condition = r.scalar('condition', { required: true });
  const ops = overrides(r, ['condition'], ['condition']);
  const append = appendFlag(r, ops) || ops.get('condition') === 'append';
  warnUnknownKeys(r, MACRO_KEYS);
  if (macroName === undefined || condition === undefined) return undefined;
  return { kind: 'macro', name: macroName, label: r.label!, where: r.where, condition, append };
}

function rule(r: ItemReader): Def | undefined {
  const ruleName = name(r, 'rule');
  const source = r.has('source') ? r.string('source', { allowEmpty: true })?.trim() || undefined : undefined;
  const ops = overrides(r, RULE_APPENDABLE, RULE_REPLACEABLE);
  const append = appendFlag(r, ops);
  warnUnknownKeys(r, RULE_KEYS);
  if (ruleName === undefined) return undefined;
  const def: RuleDef = { kind: 'rule', name: ruleName, label: r.label!, where: r.where, source, mode: 'define', ops: new Map() };

  // An item with `override:` is an update even when its entries were invalid (already reported).
  if (ops.size > 0 || r.has('override')) {
    def.mode = 'update';
    const named = overrideKeys(r);
    for (const key of RULE_REPLACEABLE) {
      if (r.has(key) && !named.has(key)) r.error(r.whereOf(key), `unexpected key '${key}': no corresponding entry under 'override' is defined`);
    }
    for (const [key, op] of ops) {
      if (!r.has(key)) {
        r.error(r.whereOf('override'), `an ${op} override for '${key}' was specified but '${key}' is not defined`);
        continue;
      }
      def.ops.set(key as RuleKey, op);
    }
    Object.assign(def, ruleFields(r, [...def.ops.keys()]));
    return def;
  }

  if (append) {
    def.mode = 'update';
    // `append: true` (the older form) appends only a condition and exceptions.
    for (const key of ['condition', 'exceptions'] as const) if (r.has(key)) def.ops.set(key, 'append');
    if (def.ops.size === 0) r.error(r.where, "an appended rule must have 'condition' or 'exceptions'");
    for (const key of ['output', 'desc', 'priority', 'tags', 'enabled']) {
      if (r.has(key)) r.warn(r.whereOf(key), `'${key}' is ignored with 'append: true' (use 'override' to change it)`);
    }
    Object.assign(def, ruleFields(r, [...def.ops.keys()]));
    return def;
  }

  if (!['condition', 'output', 'desc', 'priority'].some((k) => r.has(k))) {
    // A rule item with only `enabled:` turns an earlier rule on or off.
    def.mode = 'enable';
    if (!r.has('enabled')) {
      r.error(r.where, "a rule needs condition, output, desc and priority (or only 'enabled' to change an earlier rule)");
      return def;
    }
    def.enabled = r.bool('enabled');
    return def;
  }

  for (const key of ['condition', 'output', 'desc', 'priority']) {
    if (!r.has(key)) r.error(r.where, `missing required key '${key}'`);
  }
  const present = RULE_REPLACEABLE.filter((k) => r.has(k));
  Object.assign(def, ruleFields(r, present));
  return def;
}

function ruleFields(r: ItemReader, keys: readonly RuleKey[]): RuleFields {
  const f: RuleFields = {};
  for (const key of keys) {
    switch (key) {
      case 'condition':
        f.condition = r.scalar('condition');
        break;
      case 'output':
        f.output = r.scalar('output');
        break;
      case 'desc':
        f.desc = r.string('desc', { allowEmpty: true });
        break;
      case 'priority': {
        const text = r.string('priority');
        if (text === undefined) break;
        f.priority = parsePriority(text);
        if (f.priority === undefined) r.error(r.whereOf('priority'), `invalid priority '${text}' (expected one of ${PRIORITIES.join(', ')})`);
        break;
      }
      case 'tags':
        f.tags = r.strings('tags')?.map((t) => t.text);
        break;
      case 'enabled':
        f.enabled = r.bool('enabled');
        break;
      case 'warn_evttypes':
        f.warnEvttypes = r.bool('warn_evttypes');
        break;
      case 'skip-if-unknown-filter':
        f.skipIfUnknownFilter = r.bool('skip-if-unknown-filter');
        break;
      case 'capture':
        f.capture = r.bool('capture');
        break;
      case 'capture_duration': {
        const text = r.string('capture_duration');
        if (text === undefined) break;
        const ms = Number(text);
        if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(ms)) r.error(r.whereOf('capture_duration'), `'capture_duration' must be a whole number of milliseconds, not '${text}'`);
        else f.captureDuration = ms;
        break;
      }
      case 'exceptions':
        f.exceptions = exceptions(r);
        break;
    }
  }
  return f;
}

function exceptions(r: ItemReader): ExceptionDef[] | undefined {
  const n = r.node('exceptions');
  if (isScalar(n) && (n.value === '' || n.value === null)) return [];
  if (!isSeq(n)) {
    r.error(r.whereOf('exceptions'), `'exceptions' must be a sequence, not a ${kindOf(n)}`);
    return undefined;
  }
  const out: ExceptionDef[] = [];
  for (const e of r.seqItems(n)) {
    const where = r.at(e as Node);
    if (!isMap(e)) {
      r.error(where, `each exception must be a mapping with name, fields, comps and values, not a ${kindOf(e)}`);
      continue;
    }
    const nameNode = e.get('name', true);
    if (!isScalar(nameNode) || String(nameNode.value ?? '').trim() === '') {
      r.error(where, "exception has no 'name'");
      continue;
    }
    const ex: ExceptionDef = { name: String(nameNode.value), where };
    if (out.some((o) => o.name === ex.name)) r.warn(where, `exception '${ex.name}' is defined more than once in this rule`);
    for (const pair of e.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!EXCEPTION_KEYS.has(key)) r.warn(r.at(pair.key as Node), `unknown key '${key}' in exception '${ex.name}'; ignored`);
    }
    const fields = e.get('fields', true) as YNode | undefined;
    // a missing `fields` is reported when the exception is built (exceptions.ts), with the others
    if (fields !== undefined) ex.fields = tree(r, fields, 1, `fields of exception '${ex.name}'`);
    const comps = e.get('comps', true) as YNode | undefined;
    if (comps !== undefined) ex.comps = tree(r, comps, 1, `comps of exception '${ex.name}'`);
    const values = e.get('values', true) as YNode | undefined;
    if (values !== undefined) {
      if (isSeq(values)) ex.values = r.seqItems(values).map((v) => tree(r, v, 2, `values of exception '${ex.name}'`));
      else if (!(isScalar(values) && values.value === '')) r.error(r.at(values), `values of exception '${ex.name}' must be a sequence, not a ${kindOf(values)}`);
    }
    out.push(ex);
  }
  return out;
}

/** A scalar, or a sequence nested at most `depth` deep. */
function tree(r: ItemReader, n: YNode | undefined, depth: number, what: string): TextTree {
  const where = r.at(n as Node);
  if (isScalar(n)) return { where, text: String(n.value ?? '') };
  if (isSeq(n) && depth > 0) return { where, items: r.seqItems(n).map((i) => tree(r, i, depth - 1, what)) };
  r.error(where, `unexpected ${kindOf(n)} in ${what}`);
  return { where, text: '' };
}
