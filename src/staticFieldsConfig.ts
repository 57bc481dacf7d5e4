// The `static_fields` configuration key, as Falco reads it: a mapping of
// names to values (strings; numbers and booleans as written), each a field
// `static.<name>` of every source (engine/staticFields.ts).
import { ConfigError, type ConfigTree, get } from './config';
import { STATIC_NAME } from './engine/staticFields';

export function readStaticFields(config: ConfigTree): Record<string, string> {
  const v = get<unknown>(config, 'static_fields', {});
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`static_fields: expected a mapping of names to values, got ${JSON.stringify(v)}`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (!STATIC_NAME.test(k)) throw new ConfigError(`static_fields.${k}: a name must be letters, digits and _ (it becomes the field static.${k})`);
    if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') throw new ConfigError(`static_fields.${k}: expected a string, got ${JSON.stringify(x)}`);
    out[k] = String(x);
  }
  return out;
}
