// ka.* fields about the request itself: who, what, on which object, with what
// outcome. Paths follow the audit.k8s.io/v1 Event schema.
import type { FieldDef, Scalar, Value } from '../../../engine/source';
import type { K8sAuditEvent } from '../event';
import { asText, listValue, prop, prop2, pushText } from '../jsonText';
import { indexedField, keyedField, plainField } from './fieldKinds';

type E = K8sAuditEvent;

function text1(name: string, desc: string, a: string): FieldDef<E> {
  return plainField(name, desc, (e) => asText(e.obj[a]));
}

function text2(name: string, desc: string, a: string, b: string): FieldDef<E> {
  return plainField(name, desc, (e) => asText(prop(e.obj[a], b)));
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

const ANN = 'annotations';

function targetPodName(e: E): Value {
  const ref = e.obj.objectRef;
  if (prop(ref, 'resource') !== 'pods') return undefined;
  // a create has no name in objectRef when the client used generateName: the response names the pod
  return asText(prop(ref, 'name')) ?? asText(prop2(e.obj.responseObject, 'metadata', 'name'));
}

export const auditFields: FieldDef<E>[] = [
  text1('ka.auditid', 'The unique id of the audit event', 'auditID'),
  text1('ka.stage', 'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)', 'stage'),
  text2('ka.auth.decision', 'The authorization decision', ANN, 'authorization.k8s.io/decision'),
  text2('ka.auth.reason', 'The authorization reason', ANN, 'authorization.k8s.io/reason'),
  text2('ka.auth.openshift.decision', 'The authentication decision of the OpenShift API server extension (OpenShift only)', ANN, 'authentication.openshift.io/decision'),
  text2('ka.auth.openshift.username', 'The user name of the OpenShift authentication operation (OpenShift only)', ANN, 'authentication.openshift.io/username'),
  text2('ka.validations.admission.policy.failure', 'The validation failure reason from a ValidatingAdmissionPolicy', ANN, 'validation.policy.admission.k8s.io/validation_failure'),
  text2('ka.security.pod.violations', 'The pod security admission violations recorded for the request', ANN, 'pod-security.kubernetes.io/audit-violations'),
  text2('ka.cluster.name', 'The name of the cluster (the cluster_name annotation)', ANN, 'cluster_name'),
  text2('ka.user.name', 'The user name performing the request', 'user', 'username'),
  plainField('ka.user.groups', 'The groups to which the user belongs', (e) => textList(e, -1, 'user', 'groups'), { isList: true }),
  text2('ka.impuser.name', 'The impersonated user name', 'impersonatedUser', 'username'),
  text1('ka.verb', 'The action being performed', 'verb'),
  text1('ka.uri', 'The request URI as sent from client to server', 'requestURI'),
  keyedField('ka.uri.param', 'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val); the first one when repeated', 'query parameter name', (key) => (e) => e.queryParams?.get(key) ?? undefined),
  text1('ka.useragent', 'The useragent of the client who made the request to the apiserver', 'userAgent'),
  indexedField('ka.sourceips', 'The IP addresses of the client who made the request to the apiserver', 'index: only the i-th address', (e, i) => textList(e, i, 'sourceIPs')),
  text2('ka.target.name', 'The target object name', 'objectRef', 'name'),
  text2('ka.target.namespace', 'The target object namespace', 'objectRef', 'namespace'),
  text2('ka.target.resource', 'The target object resource', 'objectRef', 'resource'),
  text2('ka.target.subresource', 'The target object subresource', 'objectRef', 'subresource'),
  plainField('ka.target.pod.name', 'The target pod name, when the target is a pod (from the object reference, else from the response object)', targetPodName),
  plainField('ka.resp.name', 'The response object name', (e) => asText(prop2(e.obj.responseObject, 'metadata', 'name'))),
  text2('ka.response.code', 'The response code', 'responseStatus', 'code'),
  text2('ka.response.reason', 'The response reason (usually present only for failures)', 'responseStatus', 'reason'),
];
