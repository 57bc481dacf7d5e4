// The Kubernetes audit source: audit.k8s.io Events (v1 and v1beta1) with Falco's
// ka.*, jevt.* and json.* fields. objectRef.resource serves as the event type:
// nearly every rule names the resources it is about, so the ruleset tries a
// rule only on events for those resources (rules that name none run on all).
import type { Source } from '../../engine/source';
import { K8sAuditEvent, toAuditEvent } from './event';
import { k8sAuditFields } from './fields';

export { K8sAuditEvent, toAuditEvent };
export { readAuditTrace } from './trace';

/** Falco plugins whose fields this source has built in: rules requiring them load unchanged. */
export const BUILTIN_PLUGINS: readonly string[] = ['k8saudit', 'k8saudit-aks', 'k8saudit-eks', 'k8saudit-gke', 'k8saudit-ovh', 'json'];

export const k8sAuditSource: Source<K8sAuditEvent> = {
  name: 'k8s_audit',
  fields: k8sAuditFields,
  plugins: BUILTIN_PLUGINS,
  eventTypeField: 'ka.target.resource',
  // Falco warns only for syscall rules; a k8s rule about every resource is normal
  eventTypeWarnings: false,
  eventType: (e) => e.resource,
  time: (e) => e.time,
};
