// Test helper: bind a k8s_audit field by name (with its argument) and extract it.
import type { Value } from '../../../src/engine/source';
import { k8sAuditSource } from '../../../src/sources/k8s_audit';
import { K8sAuditEvent, toAuditEvent } from '../../../src/sources/k8s_audit/event';

export function field(evt: K8sAuditEvent | Record<string, unknown>, name: string, arg?: string): Value {
  const def = k8sAuditSource.fields.find((f) => f.name === name);
  if (!def) throw new Error(`no field ${name}`);
  return def.bind(arg)(evt instanceof K8sAuditEvent ? evt : toAuditEvent(evt));
}

/** The message bind() throws for this argument, or '' when it accepts it. */
export function bindError(name: string, arg?: string): string {
  const def = k8sAuditSource.fields.find((f) => f.name === name);
  if (!def) throw new Error(`no field ${name}`);
  try {
    def.bind(arg);
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}
