// ka.req.* fields about request objects other than pods: (cluster) role
// bindings, (cluster) roles, configmaps and services.
import type { FieldDef, Scalar, Value } from '../../../engine/source';
import type { K8sAuditEvent } from '../event';
import { asText, listValue, prop, prop2, pushText } from '../jsonText';
import { indexedField, keyedField, plainField } from './fieldKinds';

type E = K8sAuditEvent;

function subjects(e: E): unknown[] | undefined {
  const s = prop(e.obj.requestObject, 'subjects');
  return Array.isArray(s) ? s : undefined;
}

/** Names of the binding's subjects of `kind`; with `withNs`, as `namespace:name`. */
function subjectNames(kind: string, withNs: boolean) {
  return (e: E): Value => {
    const subs = subjects(e);
    if (!subs) return undefined;
    const out: Scalar[] = [];
    for (const s of subs) {
      if (prop(s, 'kind') !== kind) continue;
      const name = asText(prop(s, 'name'));
      if (name === undefined) continue;
      if (!withNs) out.push(name);
      else {
        const ns = asText(prop(s, 'namespace'));
        if (ns !== undefined) out.push(`${ns}:${name}`);
      }
    }
    return listValue(out);
  };
}

function roleRules(e: E): unknown[] | undefined {
  const r = prop(e.obj.requestObject, 'rules');
  return Array.isArray(r) ? r : undefined;
}

/** All values of `key` across the role's rules, or those of rule `index` only. */
function ruleValues(key: string) {
  return (e: E, index: number): Value => {
    const rules = roleRules(e);
    if (!rules) return undefined;
    const out: Scalar[] = [];
    const from = index >= 0 ? index : 0;
    const to = index >= 0 ? Math.min(index + 1, rules.length) : rules.length;
    for (let i = from; i < to; i++) {
      const vals = prop(rules[i], key);
      if (Array.isArray(vals)) for (const v of vals) pushText(out, v);
    }
    return listValue(out);
  };
}

function jsonList(arr: unknown, index: number): Value {
  if (!Array.isArray(arr)) return undefined;
  const out: Scalar[] = [];
  if (index >= 0) pushText(out, arr[index]);
  else for (const v of arr) pushText(out, v);
  return listValue(out);
}

const ROLE_RULE_ARG = 'index: only the i-th rule';

export const objectFields: FieldDef<E>[] = [
  plainField('ka.req.binding.subjects', 'When the request object refers to a cluster role binding, the subject (e.g. account/users) being linked by the binding, each as JSON', (e) => jsonList(subjects(e), -1), { isList: true }),
  plainField('ka.req.binding.subjects.user_names', 'When the request object refers to a cluster role binding, the subject user names being linked by the binding', subjectNames('User', false), { isList: true }),
  plainField('ka.req.binding.subjects.serviceaccount_names', 'When the request object refers to a cluster role binding, the subject service account names being linked by the binding', subjectNames('ServiceAccount', false), { isList: true }),
  plainField('ka.req.binding.subjects.serviceaccount_ns_names', 'When the request object refers to a cluster role binding, the subject service accounts as namespace:name', subjectNames('ServiceAccount', true), { isList: true }),
  plainField('ka.req.binding.subjects.group_names', 'When the request object refers to a cluster role binding, the subject group names being linked by the binding', subjectNames('Group', false), { isList: true }),
  keyedField('ka.req.binding.subject.has_name', 'When the request object refers to a cluster role binding, "true" if a subject with the given name exists, else "false"', 'subject name', (name) => (e) => {
    const subs = subjects(e);
    if (!subs) return undefined;
    for (const s of subs) if (prop(s, 'name') === name) return 'true';
    return 'false';
  }),
  plainField('ka.req.binding.role', 'When the request object refers to a cluster role binding, the role being linked by the binding', (e) => asText(prop2(e.obj.requestObject, 'roleRef', 'name'))),
  plainField('ka.req.configmap.name', 'If the request object refers to a configmap, the configmap name', (e) => asText(prop(e.obj.objectRef, 'name'))),
  plainField('ka.req.configmap.obj', 'If the request object refers to a configmap, its data as JSON', (e) => e.requestDataText),
  plainField('ka.req.role.rules', "When the request object refers to a role/cluster role, the rules associated with the role, each as JSON", (e) => jsonList(roleRules(e), -1), { isList: true }),
  indexedField('ka.req.role.rules.apiGroups', "When the request object refers to a role/cluster role, the api groups associated with the role's rules", ROLE_RULE_ARG, ruleValues('apiGroups')),
  indexedField('ka.req.role.rules.nonResourceURLs', "When the request object refers to a role/cluster role, the non resource urls associated with the role's rules", ROLE_RULE_ARG, ruleValues('nonResourceURLs')),
  indexedField('ka.req.role.rules.verbs', "When the request object refers to a role/cluster role, the verbs associated with the role's rules", ROLE_RULE_ARG, ruleValues('verbs')),
  indexedField('ka.req.role.rules.resources', "When the request object refers to a role/cluster role, the resources associated with the role's rules", ROLE_RULE_ARG, ruleValues('resources')),
  plainField('ka.req.service.type', 'When the request object refers to a service, the service type', (e) => asText(prop2(e.obj.requestObject, 'spec', 'type'))),
  indexedField('ka.req.service.ports', "When the request object refers to a service, the service's ports, each as JSON", 'index: only the i-th port', (e, i) => jsonList(prop2(e.obj.requestObject, 'spec', 'ports'), i)),
];
