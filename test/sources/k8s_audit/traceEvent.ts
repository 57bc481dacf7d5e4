// Test helper: the first event of a trace file in test/trace_files/k8s_audit.
import path from 'node:path';
import { readAuditTrace } from '../../../src/sources/k8s_audit';
import type { K8sAuditEvent } from '../../../src/sources/k8s_audit/event';

export const TRACE_DIR = path.resolve(__dirname, '../../trace_files/k8s_audit');

export function traceEvents(file: string): K8sAuditEvent[] {
  const out: K8sAuditEvent[] = [];
  readAuditTrace(path.join(TRACE_DIR, file), (e) => out.push(e), (msg) => {
    throw new Error(msg);
  });
  return out;
}

export function traceEvent(file: string): K8sAuditEvent {
  return traceEvents(file)[0];
}
