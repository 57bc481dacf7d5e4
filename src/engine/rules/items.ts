// The definitions a rules file holds, decoded from YAML but not yet merged
// across files (collect.ts) nor compiled (load.ts).
import type { Priority } from '../priority';
import type { ScalarText, Where } from './sourceText';

/** A scalar or a sequence from an exception's fields/comps/values, with its place. */
export type TextTree = { where: Where; text: string } | { where: Where; items: TextTree[] };

export interface ExceptionDef {
  name: string;
  where: Where;
  /** a single field (a string) or a list of fields */
  fields?: TextTree;
  comps?: TextTree;
  values?: TextTree[];
}

export interface ListDef {
  kind: 'list';
  name: string;
  label: string;
  where: Where;
  items: { text: string; where: Where }[];
  append: boolean;
}

export interface MacroDef {
  kind: 'macro';
  name: string;
  label: string;
  where: Where;
  condition: ScalarText;
  append: boolean;
}

/** Keys `override:` may name, and which operations each allows (as Falco). */
export const RULE_APPENDABLE = ['condition', 'output', 'desc', 'tags', 'exceptions'] as const;
export const RULE_REPLACEABLE = [
  'condition',
  'output',
  'desc',
  'priority',
  'capture',
  'capture_duration',
  'tags',
  'exceptions',
  'enabled',
  'warn_evttypes',
  'skip-if-unknown-filter',
] as const;
export type RuleKey = (typeof RULE_REPLACEABLE)[number];

export interface RuleFields {
  condition?: ScalarText;
  output?: ScalarText;
  desc?: string;
  priority?: Priority;
  tags?: string[];
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
  /** Falco's capture: write the events from this rule's alert on to a capture file */
  capture?: boolean;
  /** how long that capture lasts, milliseconds (0: capture.default_duration) */
  captureDuration?: number;
  exceptions?: ExceptionDef[];
}

export interface RuleDef extends RuleFields {
  kind: 'rule';
  name: string;
  label: string;
  where: Where;
  /** as written; undefined when the item has no `source:` */
  source?: string;
  /**
   * define: a full rule; enable: only `enabled:` for an earlier rule;
   * update: `append: true` or `override:` on an earlier rule
   */
  mode: 'define' | 'enable' | 'update';
  /** for updates, what to do with each key present */
  ops: Map<RuleKey, 'append' | 'replace'>;
}

export interface EngineVersionDef {
  kind: 'engine_version';
  where: Where;
  text: string;
  version: [number, number, number];
}

/** `required_plugin_versions`: plugins a file's rules were written for. */
export interface PluginVersionsDef {
  kind: 'plugin_versions';
  /** each requirement: its plugin, and the alternatives that would do instead */
  requirements: { name: string; version: string; alternatives: { name: string; version: string }[]; where: Where }[];
}

export type Def = ListDef | MacroDef | RuleDef | EngineVersionDef | PluginVersionsDef;
