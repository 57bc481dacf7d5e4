// `vigil --list-events`: the event types each source knows, one a line, as
// Falco's --list-events prints them (`> name(TYPE param, ...)` for an enter
// event, `<` for an exit): first the events Vigil's probe sends, then those
// Vigil makes itself, then the names a syscall rule may compare evt.type with
// that never arrive here; the k8s_audit source has one kind of event.
import type { Source } from './engine/source';
import { EVENT_LIST, EVENT_TYPE_NAMES, type EventInfo, META_EVENT_CODES } from './sources/syscall/eventTable';

function signature(e: EventInfo): string {
  return `${e.dir} ${e.name}(${e.params.map((p) => `${p.type} ${p.name}`).join(', ')})`;
}

function syscallSection(source: Source<unknown>): string {
  let out = '## syscall: events the probe sends\n\n';
  for (const e of EVENT_LIST) if (!META_EVENT_CODES.has(e.code)) out += `${signature(e)}\n`;
  out += '\n## syscall: events Vigil makes (container metadata)\n\n';
  for (const e of EVENT_LIST) if (META_EVENT_CODES.has(e.code)) out += `${signature(e)}\n`;
  const sent = new Set(EVENT_TYPE_NAMES);
  const other = [...(source.knownEventTypes ?? [])].filter((n) => !sent.has(n)).sort();
  out += `\n## syscall: other event types a rule may name (libs knows them; they never arrive from Vigil's probe)\n\n`;
  for (const n of other) out += `${n}\n`;
  return out;
}

export function listEvents(sources: readonly Source<unknown>[]): string {
  let out = '';
  for (const s of sources) {
    if (out !== '') out += '\n';
    if (s.name === 'syscall') out += syscallSection(s);
    else if (s.name === 'k8s_audit') out += '## k8s_audit\n\n> k8s_audit(audit.k8s.io/v1 Event): one per Event posted to the webhook or read from a trace; rules are indexed by ka.target.resource\n';
    else out += `## ${s.name}\n\n${(s.eventTypes ?? []).join('\n')}\n`;
  }
  return out;
}
