// Every field of the k8s_audit source, in the order `--list` shows them.
import type { FieldDef } from '../../../engine/source';
import type { K8sAuditEvent } from '../event';
import { auditFields } from './auditFields';
import { jsonFields } from './jsonFields';
import { withLegacyForms } from './legacyText';
import { objectFields } from './objectFields';
import { podFields } from './podFields';

export const k8sAuditFields: readonly FieldDef<K8sAuditEvent>[] = withLegacyForms([...jsonFields, ...auditFields, ...objectFields, ...podFields]);
