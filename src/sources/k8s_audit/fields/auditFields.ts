// ka.* fields about the request itself: who, what, on which object, with what
// outcome. Paths follow the audit.k8s.io/v1 Event schema.
import type { FieldDef, Scalar, Value } from '../../../engine/source';
import type { K8sAuditEvent } from '../event';
import { asText, listValue, prop, prop2, pushText } from '../jsonText';
import { indexedField, keyedField, plainField } from './fieldKinds';

type E = K8sAuditEvent;

// The hottest fields read fixed property names directly (a property access
// with a constant name stays fast where a computed key in a shared helper does not).
type Obj = Record<string, unknown>;

function ref(e: E): Obj | undefined {
  const r = e.obj.objectRef;
  return r !== null && typeof r === 'object' ? (r as Obj) : undefined;
}

function annotation(name: string, desc: string, key: string): FieldDef<E> {
  return plainField(name, desc, (e) => asText(prop(e.obj.annotations, key)));
}

/** Elements of the array at obj[a][b] (or obj[a] when b is undefined), all or the one at `index`. */
function textList(e: E, index: number, a: string, b?: string): Value {
  const arr = b === undefined ? e.obj[a] : prop(e.obj[a], b);
  if (!Array.isArray(arr)) return undefined;
  if (index >= 0) {
    const t = asText(arr[index]);
    return t === undefined ? undefined : [t];
  }
  const out: Scalar[] = [];
  for (let i = 0; i < arr.length; i++) pushText(out, arr[i]);
  return listValue(out);
}

function targetPodName(e: E): Value {
  const ref = e.obj.objectRef;
  if (prop(ref, 'resource') !== 'pods') return undefined;
  // a create has no name in objectRef when the client used generateName: the response names the pod
  return asText(prop(ref, 'name')) ?? asText(prop2(e.obj.responseObject, 'metadata', 'name'));
}

export const auditFields: FieldDef<E>[] = [
  plainField('ka.auditid', 'The unique id of the audit event', (e) => asText(e.obj.auditID)),
  plainField('ka.stage', 'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)', (e) => asText(e.obj.stage)),
  annotation('ka.auth.decision', 'The authorization decision', 'authorization.k8s.io/decision'),
  annotation('ka.auth.reason', 'The authorization reason', 'authorization.k8s.io/reason'),
  annotation('ka.auth.openshift.decision', 'The authentication decision of the OpenShift API server extension (OpenShift only)', 'authentication.openshift.io/decision'),
  annotation('ka.auth.openshift.username', 'The user name of the OpenShift authentication operation (OpenShift only)', 'authentication.openshift.io/username'),
  annotation('ka.validations.admission.policy.failure', 'The validation failure reason from a ValidatingAdmissionPolicy', 'validation.policy.admission.k8s.io/validation_failure'),
  annotation('ka.security.pod.violations', 'The pod security admission violations recorded for the request', 'pod-security.kubernetes.io/audit-violations'),
  annotation('ka.cluster.name', 'The name of the cluster (the cluster_name annotation)', 'cluster_name'),
  plainField('ka.user.name', 'The user name performing the request', (e) => {
    const u = e.obj.user;
    return u !== null && typeof u === 'object' ? asText((u as Obj).username) : undefined;
  }),
  plainField('ka.user.groups', 'The groups to which the user belongs', (e) => textList(e, -1, 'user', 'groups'), { isList: true }),
  plainField('ka.impuser.name', 'The impersonated user name', (e) => asText(prop(e.obj.impersonatedUser, 'username'))),
  plainField('ka.verb', 'The action being performed', (e) => asText(e.obj.verb)),
  plainField('ka.uri', 'The request URI as sent from client to server', (e) => asText(e.obj.requestURI)),
  keyedField('ka.uri.param', 'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val); the first one when repeated', 'query parameter name', (key) => (e) => e.queryParams?.get(key) ?? undefined),
  plainField('ka.useragent', 'The useragent of the client who made the request to the apiserver', (e) => asText(e.obj.userAgent)),
  indexedField('ka.sourceips', 'The IP addresses of the client who made the request to the apiserver', 'index: only the i-th address', (e, i) => textList(e, i, 'sourceIPs')),
  plainField('ka.target.name', 'The target object name', (e) => asText(ref(e)?.name)),
  plainField('ka.target.namespace', 'The target object namespace', (e) => asText(ref(e)?.namespace)),
  plainField('ka.target.resource', 'The target object resource', (e) => e.resource),
  plainField('ka.target.subresource', 'The target object subresource', (e) => asText(ref(e)?.subresource)),
  plainField('ka.target.pod.name', 'The target pod name, when the target is a pod (from the object reference, else from the response object)', targetPodName),
  plainField('ka.resp.name', 'The response object name', (e) => asText(prop2(e.obj.responseObject, 'metadata', 'name'))),
  plainField('ka.response.code', 'The response code', (e) => asText(prop(e.obj.responseStatus, 'code'))),
  plainField('ka.response.reason', 'The response reason (usually present only for failures)', (e) => asText(prop(e.obj.responseStatus, 'reason'))),
];
