// An audit event the webserver will not evaluate (it is over
// webserver.max_event_size) must not pass unseen: padding an event is how an
// attacker would slip a privileged pod past the rules. So each such event
// raises this built-in alert naming who did what to which object, from the
// event's own members.
import { escapeControls } from '../engine/controlEscape';
import { parsePriority, type Priority } from '../engine/priority';
import type { AlertData } from '../evaluation/ruleAlert';

export const DROPPED_EVENT_RULE = 'Vigil internal: audit event dropped';
const CRITICAL = parsePriority('critical') as Priority;

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '<NA>' : JSON.stringify(v);
}

function member(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[key] : undefined;
}

/** The alert for `evt`, dropped because it is over `maxEventSize` bytes. */
export function droppedEventAlertData(evt: Record<string, unknown>, maxEventSize: number, withFields: boolean): AlertData {
  const ref = evt.objectRef;
  const user = str(member(evt.user, 'username'));
  const verb = str(evt.verb);
  const resource = str(member(ref, 'resource'));
  const subresource = member(ref, 'subresource');
  const namespace = str(member(ref, 'namespace'));
  const name = str(member(ref, 'name'));
  const auditID = str(evt.auditID);
  const object = `${resource}${typeof subresource === 'string' ? `/${subresource}` : ''} ${namespace}/${name}`;
  const message =
    `Audit event over webserver.max_event_size (${maxEventSize} bytes) dropped without evaluation ` +
    `(user=${escapeControls(user)} verb=${escapeControls(verb)} object=${escapeControls(object)} auditID=${escapeControls(auditID)})`;
  const stamp = typeof evt.stageTimestamp === 'string' ? Date.parse(evt.stageTimestamp) : NaN;
  return {
    rule: DROPPED_EVENT_RULE,
    priority: CRITICAL,
    source: 'k8s_audit',
    tags: ['k8s_audit', 'vigil_internal'],
    message,
    time: BigInt(Number.isNaN(stamp) ? Date.now() : stamp) * 1_000_000n,
    fields: withFields
      ? { 'ka.user.name': user, 'ka.verb': verb, 'ka.target.resource': resource, 'ka.target.namespace': namespace, 'ka.target.name': name, 'ka.auditid': auditID }
      : undefined,
  };
}
