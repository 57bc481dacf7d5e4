// The Kubernetes audit source: audit.k8s.io Events (v1 and v1beta1) with Falco's
// ka.*, jevt.* and json.* fields. No event-type field: every k8s rule is catch-all.
import type { Source } from '../../engine/source';
import { K8sAuditEvent, toAuditEvent } from './event';
import { k8sAuditFields } from './fields';

export { K8sAuditEvent, toAuditEvent };
export { readAuditTrace, looksLikeAuditTrace } from './trace';

/** Falco plugins whose fields this source has built in: rules requiring them load unchanged. */
export const BUILTIN_PLUGINS: readonly string[] = ['k8saudit', 'k8saudit-aks', 'k8saudit-eks', 'k8saudit-gke', 'k8saudit-ovh', 'json'];

export const k8sAuditSource: Source<K8sAuditEvent> = {
  name: 'k8s_audit',
  fields: k8sAuditFields,
  plugins: BUILTIN_PLUGINS,
  time: (e) => e.time,
};
