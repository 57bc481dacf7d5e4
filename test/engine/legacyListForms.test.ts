// Seed-era forms on list fields (src/engine/legacyListForms.ts) through the
// whole loader: a rules file in the style of Falco 0.13 to 0.30 loads, each
// rule using the old forms gets one warning naming the modern form, and the
// rules give the verdicts Falco 0.13 (for fields it had) or 0.30 (for fields
// that came then) gave on the same audit events.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { k8sAuditSource, toAuditEvent } from '../../src/sources/k8s_audit';

const RULES = path.resolve(__dirname, '../rules/k8s_audit/seed_era_rules.yaml');

function load(content?: string) {
  const engine = new Engine([k8sAuditSource]);
  const res = content === undefined ? engine.loadRulesFiles([RULES]) : engine.loadRulesContent([{ name: 'x.yaml', content }]);
  return { engine, res };
}

function matching(engine: Engine, obj: Record<string, unknown>): string[] {
  const evt = toAuditEvent({ stage: 'ResponseComplete', verb: 'create', user: { username: 'u', groups: ['system:authenticated'] }, ...obj });
  return engine.rules.filter((r) => r.evaluate(evt)).map((r) => r.name);
}

const role = (rules: unknown[]) => ({ objectRef: { resource: 'clusterroles' }, requestObject: { rules } });

test('a seed-era rules file loads: one warning per rule using the old forms, naming the modern form', () => {
  const { engine, res } = load();
  assert.deepEqual(res.errors.map((e) => e.format()), []);
  const legacy = res.warnings.filter((w) => w.message.includes('single-value operator'));
  assert.deepEqual(legacy.map((w) => w.item).sort(), [
    "rule 'All containers privileged'", "rule 'Masters member'", "rule 'NodePort service'", "rule 'Not exactly one group'",
    "rule 'Pod exec role'", "rule 'Single image from repo'", "rule 'Wildcard role'", "rule 'Writable role'",
  ]);
  const msg = (rule: string) => legacy.find((w) => w.item === `rule '${rule}'`)!.format();
  assert.match(msg('Wildcard role'), /ka\.req\.role\.rules\.resources contains '"\*"' -> ka\.req\.role\.rules\.resources intersects \("\*"\)/);
  assert.match(msg('Wildcard role'), /Falco 0\.13/);
  // the warning points into the macro that holds the first old form
  assert.match(msg('Writable role'), /seed_era_rules\.yaml:9:\d+: rule 'Writable role'/);
  assert.match(msg('Writable role'), /ka\.req\.role\.rules\.verbs contains update \(macro 'writable_verbs'\) -> ka\.req\.role\.rules\.verbs intersects \(update\)/);
  assert.match(msg('All containers privileged'), /Falco 0\.30.*-> ka\.req\.pod\.containers\.privileged in \(true\)/);
  assert.equal(engine.rules.length, 9);
});

test('Falco 0.13 verdicts: contains, =, != on the JSON text', () => {
  const { engine } = load();
  assert.deepEqual(matching(engine, role([{ verbs: ['get'], resources: ['pods/exec'] }])), ['Pod exec role']);
  assert.deepEqual(matching(engine, role([{ verbs: ['get'], resources: ['pods'] }, { verbs: ['*'], resources: ['configmaps'] }])), ['Wildcard role', 'Modern form']);
  // '"*"' needs the quotes of the JSON text: a resource named 'x*y' is not a wildcard
  assert.deepEqual(matching(engine, role([{ verbs: ['get'], resources: ['x*y'] }])), []);
  // 0.13's contains is a substring of the text: 'patch' is found in any rule's verbs
  assert.deepEqual(matching(engine, role([{ verbs: ['get'], resources: ['a'] }, { verbs: ['patch'], resources: ['b'] }])), ['Writable role']);
  assert.deepEqual(matching(engine, role([{ verbs: ['create'], resources: ['a'] }])), ['Writable role', 'Modern form']);
  const groups = (g: string[]) => ({ user: { username: 'u', groups: g } });
  assert.deepEqual(matching(engine, groups(['system:masters', 'system:authenticated'])), ['Masters member', 'Not exactly one group']);
  assert.deepEqual(matching(engine, groups(['system:authenticated'])), []);
  // no groups at all: 0.13 compared "<NA>", which is != the literal
  assert.deepEqual(matching(engine, { user: { username: 'u' } }), ['Not exactly one group']);
  const ports = (p: unknown[]) => ({ requestObject: { spec: { ports: p } } });
  assert.deepEqual(matching(engine, ports([{ port: 80 }, { port: 443, nodePort: 30443 }])), ['NodePort service']);
  assert.deepEqual(matching(engine, ports([{ port: 80 }])), []);
});

test('Falco 0.30 verdicts for the list fields it added: = is set equality, contains needs exactly one value', () => {
  const { engine } = load();
  const pod = (containers: unknown[]) => ({ objectRef: { resource: 'pods' }, requestObject: { spec: { containers } } });
  const priv = (p: boolean, image = 'a') => ({ image, securityContext: { privileged: p } });
  assert.deepEqual((matching(engine, pod([priv(true), priv(true)]))), ['All containers privileged']);
  assert.deepEqual((matching(engine, pod([priv(true), priv(false)]))), []);
  assert.deepEqual((matching(engine, pod([priv(true, 'example.com/x')]))), ['All containers privileged', 'Single image from repo']);
  assert.deepEqual((matching(engine, pod([priv(false, 'example.com/x'), priv(false, 'example.com/y')]))), []);
});

test('modern files keep the modern meaning: no warning, and old forms on later list fields stay errors', () => {
  const modern = `
- rule: r
  desc: d
  condition: ka.req.role.rules.verbs intersects (create) and ka.user.groups in (system:masters)
  output: o
  priority: INFO
  source: k8s_audit
`;
  const { res } = load(modern);
  assert.deepEqual([...res.errors, ...res.warnings].map((e) => e.format()), []);
  const later = modern.replace('ka.req.role.rules.verbs intersects (create)', 'ka.req.pod.containers.name contains x');
  const { res: bad } = load(later);
  assert.match(bad.errors.map((e) => e.format()).join('\n'), /operator 'contains' does not apply to list field 'ka\.req\.pod\.containers\.name'/);
  // operators no seed-era engine had stay errors too
  const { res: glob } = load(modern.replace('ka.req.role.rules.verbs intersects (create)', 'ka.req.role.rules.verbs glob "*"'));
  assert.match(glob.errors.map((e) => e.format()).join('\n'), /operator 'glob' does not apply to list field/);
});
