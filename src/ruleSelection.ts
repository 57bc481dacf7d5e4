// The `rules:` configuration key, as Falco reads it: a sequence of
// `enable:`/`disable:` entries, each naming a rule (a glob on rule names, `*`
// for all) or a tag, applied in order after the rules files are loaded.
import { ConfigError } from './config';
import type { Engine } from './engine/engine';
import { globMatcher } from './engine/glob';

export interface RuleSelection {
  enable: boolean;
  rule?: string;
  tag?: string;
}

/** The entries of `rules:`, checked; a bad entry is a ConfigError naming its index. */
export function readRuleSelection(value: unknown): RuleSelection[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`rules: expected a sequence of enable:/disable: entries, got ${JSON.stringify(value)}`);
  return value.map((entry, i) => {
    const where = `rules[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(`${where}: expected a mapping with 'enable' or 'disable'`);
    const keys = Object.keys(entry);
    if (keys.length !== 1 || (keys[0] !== 'enable' && keys[0] !== 'disable')) {
      throw new ConfigError(`${where}: expected exactly one of 'enable' or 'disable', got ${keys.map((k) => `'${k}'`).join(', ') || 'nothing'}`);
    }
    const body = (entry as Record<string, unknown>)[keys[0]];
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConfigError(`${where}.${keys[0]}: expected a mapping with 'rule' or 'tag'`);
    const sel: RuleSelection = { enable: keys[0] === 'enable' };
    for (const [k, v] of Object.entries(body)) {
      if (k !== 'rule' && k !== 'tag') throw new ConfigError(`${where}.${keys[0]}.${k}: unknown key (expected 'rule' or 'tag')`);
      if (typeof v !== 'string' || v === '') throw new ConfigError(`${where}.${keys[0]}.${k}: expected a non-empty string, got ${JSON.stringify(v)}`);
      sel[k] = v;
    }
    if (sel.rule === undefined && sel.tag === undefined) throw new ConfigError(`${where}.${keys[0]}: expected 'rule' or 'tag'`);
    return sel;
  });
}

/** Applies the entries in order; returns how many rules each one matched. */
export function applyRuleSelection(engine: Engine, selection: readonly RuleSelection[]): number[] {
  return selection.map((sel) => {
    let n = 0;
    const byName = sel.rule !== undefined ? globMatcher(sel.rule) : undefined;
    for (const r of engine.rules) {
      const hit = (byName !== undefined && byName(r.name, 0, r.name.length)) || (sel.tag !== undefined && r.tags.includes(sel.tag));
      if (!hit) continue;
      n += engine.enableRules({ name: r.name }, sel.enable);
    }
    return n;
  });
}
