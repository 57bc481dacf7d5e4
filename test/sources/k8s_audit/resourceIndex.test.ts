// The k8s_audit ruleset indexes rules by objectRef.resource (the source's
// event-type field): these check that the index changes which rules are
// tried, never which rules match, including events with no resource.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine, type CompiledRule } from '../../../src/engine/engine';
import { k8sAuditSource, toAuditEvent, type K8sAuditEvent } from '../../../src/sources/k8s_audit';

function rule(name: string, condition: string): string {
  return `- rule: ${name}\n  desc: ${name}\n  condition: ${condition}\n  output: "${name} %ka.target.resource"\n  priority: WARNING\n  source: k8s_audit\n`;
}

const RULES = [
  rule('Pods', 'ka.target.resource = pods and ka.verb = create'),
  rule('RoleOrBinding', 'ka.target.resource in (roles, rolebindings)'),
  rule('NotPods', 'ka.target.resource != pods'),
  rule('NotInPods', 'not ka.target.resource in (pods)'),
  rule('AnyCreate', 'ka.verb = create'),
  rule('NoResource', 'not ka.target.resource exists'),
  rule('EmptyResource', 'ka.target.resource = ""'),
].join('');

function load(): { engine: Engine; warnings: string[] } {
  const engine = new Engine([k8sAuditSource]);
  const res = engine.loadRulesContent([{ name: 'k8s.yaml', content: RULES }]);
  assert.deepEqual(res.errors.map((e) => e.format()), []);
  return { engine, warnings: res.warnings.map((e) => e.format()) };
}

/** What the indexed ruleset matches, and what each rule's own unindexed evaluator says. */
function run(engine: Engine, obj: Record<string, unknown>): { matched: string[]; direct: string[] } {
  const direct: string[] = [];
  const matched: string[] = [];
  const evt = toAuditEvent(obj);
  for (const r of engine.rules as CompiledRule<K8sAuditEvent>[]) if (r.evaluate(evt)) direct.push(r.name);
  engine.ruleset<K8sAuditEvent>('k8s_audit').match(toAuditEvent(obj), 'all', (r) => matched.push(r.name));
  return { matched, direct };
}

test('rules that name no resource load without the all-event-types warning', () => {
  assert.deepEqual(load().warnings, []);
});

test('the indexed ruleset matches exactly what each rule condition says', () => {
  const { engine } = load();
  const cases: [Record<string, unknown>, string[]][] = [
    [{ verb: 'create', objectRef: { resource: 'pods' } }, ['Pods', 'AnyCreate']],
    [{ verb: 'create', objectRef: { resource: 'roles' } }, ['RoleOrBinding', 'NotPods', 'NotInPods', 'AnyCreate']],
    [{ verb: 'get', objectRef: { resource: 'rolebindings' } }, ['RoleOrBinding', 'NotPods', 'NotInPods']],
    [{ verb: 'get', objectRef: { resource: 'secrets' } }, ['NotPods', 'NotInPods']],
    // no resource: every comparison on it is false, `not ... in` true, exists false
    [{ verb: 'create' }, ['NotInPods', 'AnyCreate', 'NoResource']],
    [{ verb: 'create', objectRef: { resource: null } }, ['NotInPods', 'AnyCreate', 'NoResource']],
    [{ verb: 'get', objectRef: { resource: '' } }, ['NotPods', 'NotInPods', 'EmptyResource']],
  ];
  for (const [obj, want] of cases) {
    const { matched, direct } = run(engine, obj);
    assert.deepEqual(matched, want, JSON.stringify(obj));
    assert.deepEqual(direct, want, `unindexed ${JSON.stringify(obj)}`);
  }
});

test('a rule about one resource is not tried on events about another', () => {
  const { engine } = load();
  const tried: string[] = [];
  for (const r of engine.rules as CompiledRule<K8sAuditEvent>[]) {
    const inner = r.indexedEvaluate();
    r.indexedEvaluate = () => (e) => (tried.push(r.name), inner(e));
  }
  engine.ruleset<K8sAuditEvent>('k8s_audit').match(toAuditEvent({ verb: 'get', objectRef: { resource: 'secrets' } }), 'all', () => undefined);
  assert.ok(!tried.includes('Pods') && !tried.includes('RoleOrBinding'), `tried ${tried.join(', ')}`);
  assert.ok(tried.includes('AnyCreate') && tried.includes('NotPods'), `tried ${tried.join(', ')}`);
});
