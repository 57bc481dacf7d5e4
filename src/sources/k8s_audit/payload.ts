// What a body or a trace document holds: one audit Event, an EventList
// (`items`), or a JSON array of Events. Shared by the trace reader and the
// webserver so both accept exactly the same shapes.

export type AuditEvent = Record<string, unknown>;

/** Why `value` is not an audit event, or undefined when it is one. */
export function auditEventProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.kind !== undefined && v.kind !== 'Event') return `kind is ${JSON.stringify(v.kind)}, not "Event"`;
  if (typeof v.apiVersion === 'string' && !v.apiVersion.startsWith('audit.k8s.io/')) {
    return `apiVersion ${JSON.stringify(v.apiVersion)} is not audit.k8s.io/*`;
  }
  if (typeof v.auditID !== 'string' && typeof v.verb !== 'string' && typeof v.stage !== 'string') {
    return 'has none of auditID, verb, stage';
  }
  return undefined;
}

export type Payload = { events: unknown[] } | { error: string };

/**
 * The events in a parsed JSON document. Elements of a list or array are
 * returned as they are (each is checked on its own with auditEventProblem, so
 * one bad event does not reject its batch); a document that is none of the
 * three shapes is an error.
 */
export function auditEventsOf(doc: unknown): Payload {
  if (Array.isArray(doc)) return { events: doc };
  if (doc === null || typeof doc !== 'object') return { error: 'expected an audit Event, an EventList or an array of Events' };
  const d = doc as Record<string, unknown>;
  if (d.kind === 'EventList' || (d.kind === undefined && Array.isArray(d.items))) {
    if (!Array.isArray(d.items)) return { error: 'EventList has no items array' };
    return { events: d.items };
  }
  const problem = auditEventProblem(d);
  if (problem) return { error: `not an audit event: ${problem}` };
  return { events: [d] };
}
