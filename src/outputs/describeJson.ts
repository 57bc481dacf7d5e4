// `-L`/`-l` with json_output: the loaded rules (and, for -L, the macros,
// lists and requirements) in the shape Falco's describe prints: each item an
// `info` (as written) and `details` (what Vigil derived from it).
import type { Engine } from '../engine/engine';
import { priorityName } from '../engine/priority';

/** Falco's describe object for every rule, or only the rule named `only`. */
export function describeJson(engine: Engine, only?: string): Record<string, unknown> {
  const rules = (only === undefined ? engine.rules : engine.rules.filter((r) => r.name === only)).map((r) => ({
    info: {
      name: r.name,
      condition: r.condition,
      priority: priorityName(r.priority),
      output: r.outputFormat,
      description: r.desc,
      enabled: r.enabled,
      source: r.source,
      capture: false,
      capture_duration: 0,
      tags: [...r.tags],
    },
    details: {
      // the event types the rule is evaluated on: all of its source's when its condition does not restrict them
      events: r.evttypes === 'all' ? [] : [...r.evttypes].sort(),
      output_fields: [...r.outputFormat.matchAll(/%([a-zA-Z_][\w.]*(?:\[[^\]]*\])?)/g)].map((m) => m[1]),
    },
  }));
  if (only !== undefined) return { rules };
  const defs = engine.definitions;
  return {
    required_engine_version: defs.requirements.engineVersion ?? '0.0.0',
    required_plugin_versions: defs.requirements.plugins,
    rules,
    macros: defs.macros.map((m) => ({ info: { name: m.name, condition: m.condition } })),
    lists: defs.lists.map((l) => ({ info: { name: l.name, items: l.items } })),
  };
}
