// How Falco's seed-era k8s audit engine saw its list fields (FieldDef.legacy):
// in 0.13 (userspace/engine/json_evt.cpp) every field was one string, a JSON
// value other than a string written as its JSON text (nlohmann's dump:
// compact, object keys sorted), and ka.req.role.rules.<attr> the text of each
// rule's <attr> joined with one space ("N/A" for a rule without it). From 0.17
// to 0.30 list fields held their elements as separate values; fields that
// first appeared then are read with that era's meaning, from the values the
// modern field gives.
import type { Extractor, FieldDef, LegacyListForm } from '../../../engine/source';
import type { K8sAuditEvent } from '../event';

type E = K8sAuditEvent;

/** JSON text as nlohmann::json::dump() writes it: no blanks, object keys in byte order. */
export function nlohmannDump(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(nlohmannDump).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${nlohmannDump((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** 0.13's json_as_string: a string is itself, anything else its JSON text. */
function asString(v: unknown): string {
  return typeof v === 'string' ? v : nlohmannDump(v);
}

function at(o: unknown, ...path: string[]): unknown {
  let cur = o;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object' || !(p in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** The value at a JSON pointer as one string; no value when the pointer finds nothing ("<NA>"). */
function whole(...path: string[]) {
  return (): Extractor<E> => (e) => {
    const v = at(e.obj, ...path);
    return v === undefined ? undefined : asString(v);
  };
}

/** 0.13's index_generic: the whole value, or with an index its i-th element. */
function indexed(...path: string[]) {
  return (arg: string | undefined): Extractor<E> => {
    const i = arg === undefined ? -1 : Number(arg);
    return (e) => {
      const v = at(e.obj, ...path);
      if (v === undefined) return undefined;
      if (i < 0) return asString(v);
      return Array.isArray(v) && i < v.length ? asString(v[i]) : undefined;
    };
  };
}

/** 0.13's index_select on /requestObject/rules: each rule's `attr` as text, joined by spaces; "N/A" where a rule lacks it. */
function ruleAttr(attr: string) {
  return (arg: string | undefined): Extractor<E> => {
    const i = arg === undefined ? -1 : Number(arg);
    return (e) => {
      const rules = at(e.obj, 'requestObject', 'rules');
      if (rules === undefined) return undefined;
      if (!Array.isArray(rules)) return 'N/A';
      const one = (r: unknown): string => {
        const v = at(r, attr);
        return v === undefined ? 'N/A' : asString(v);
      };
      if (i >= 0) return i < rules.length ? one(rules[i]) : 'N/A';
      return rules.map(one).join(' ');
    };
  };
}

const ERA_013: ReadonlyMap<string, (arg: string | undefined) => Extractor<E>> = new Map(Object.entries({
  'ka.user.groups': whole('user', 'groups'),
  'ka.req.binding.subjects': whole('requestObject', 'subjects'),
  'ka.req.role.rules': whole('requestObject', 'rules'),
  'ka.req.role.rules.apiGroups': ruleAttr('apiGroups'),
  'ka.req.role.rules.nonResourceURLs': ruleAttr('nonResourceURLs'),
  'ka.req.role.rules.verbs': ruleAttr('verbs'),
  'ka.req.role.rules.resources': ruleAttr('resources'),
  'ka.req.service.ports': indexed('requestObject', 'spec', 'ports'),
}));

/** List fields Falco 0.30 had (json_evt.cpp at 0.30.0) that 0.13 did not. */
const ERA_030: ReadonlySet<string> = new Set([
  'ka.req.pod.containers.image',
  'ka.req.pod.containers.image.repository',
  'ka.req.pod.containers.host_port',
  'ka.req.pod.containers.privileged',
  'ka.req.pod.containers.allow_privilege_escalation',
  'ka.req.pod.containers.read_only_fs',
  'ka.req.pod.containers.run_as_user',
  'ka.req.pod.containers.eff_run_as_user',
  'ka.req.pod.containers.run_as_group',
  'ka.req.pod.containers.eff_run_as_group',
  'ka.req.pod.containers.proc_mount',
  'ka.req.pod.containers.add_capabilities',
  'ka.req.pod.supplemental_groups',
  'ka.req.pod.volumes.hostpath',
  'ka.req.pod.volumes.flexvolume_driver',
  'ka.req.pod.volumes.volume_type',
]);

/** Every list field Falco 0.13 or 0.30 had, by name. */
export const LEGACY_LIST_FIELDS: readonly string[] = [...ERA_013.keys(), ...ERA_030];

/** `fields` with each seed-era list field given its era's meaning. */
export function withLegacyForms(fields: readonly FieldDef<E>[]): FieldDef<E>[] {
  return fields.map((f) => {
    const text = ERA_013.get(f.name);
    const legacy: LegacyListForm<E> | undefined = text ? { era: '0.13', text } : ERA_030.has(f.name) ? { era: '0.30' } : undefined;
    if (!legacy) return f;
    if (!f.isList) throw new Error(`internal: seed-era list field '${f.name}' is not a list field`);
    return { ...f, legacy };
  });
}
