// A digest of the fields the loaded sources offer, as Falco's version API
// reports one (engine_fields_checksum): two agents that answer the same
// digest accept the same fields in rules.
import { createHash } from 'node:crypto';
import type { Source } from './source';

export function fieldsChecksum(sources: readonly Source<unknown>[]): string {
  const lines: string[] = [];
  for (const s of sources) for (const f of s.fields) lines.push(`${s.name} ${f.name} ${f.type}${f.isList ? ' list' : ''}`);
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}
