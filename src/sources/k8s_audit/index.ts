// The Kubernetes audit source: audit.k8s.io Events (v1 and v1beta1) with Falco's
// ka.*, jevt.* and json.* fields. objectRef.resource serves as the event type:
// nearly every rule names the resources it is about, so the ruleset tries a
// rule only on events for those resources (rules that name none run on all).
import type { Source } from '../../engine/source';
import { K8sAuditEvent, toAuditEvent } from './event';
import { k8sAuditFields } from './fields';

export { K8sAuditEvent, toAuditEvent };
export { readAuditTrace } from './trace';

/**
 * Falco plugins whose fields this source has built in, at the plugin version
 * whose fields (and rules file, plugins/k8saudit/rules) it was checked against.
 */
export const BUILTIN_PLUGINS: Readonly<Record<string, string>> = {
  k8saudit: '0.18.0',
  'k8saudit-aks': '0.6.0',
  'k8saudit-eks': '0.12.0',
  'k8saudit-gke': '0.9.0',
  'k8saudit-ovh': '0.6.0',
  json: '0.7.4',
};

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
