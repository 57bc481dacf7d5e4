import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../../src/outputs/alert';
import { DEFAULT_FORMAT_OPTIONS, formatJson, formatText } from '../../src/outputs/alertFormat';
import { clockTime, iso8601, rfc3339 } from '../../src/timeFormat';
import { AlertCounts } from '../../src/outputs/summary';
import { parsePriority } from '../../src/engine/priority';

// 2021-07-27T19:51:01.000000042Z, beyond 2^53 ns so precision matters
const T = 1627415461000000042n;

function alert(over: Partial<Alert> = {}): Alert {
  return {
    time: T,
    rule: 'Write below etc',
    priority: parsePriority('warning')!,
    source: 'syscall',
    tags: ['filesystem', 'T1565'],
    message: 'File below /etc opened (file=/etc/x "q")',
    outputFields: () => ({ 'fd.name': '/etc/x "q"', 'proc.pid': 42, 'proc.tty': null }),
    ...over,
  };
}

test('time formats keep all nine digits of nanoseconds', () => {
  assert.equal(rfc3339(T), '2021-07-27T19:51:01.000000042Z');
  assert.equal(iso8601(T), '2021-07-27T19:51:01.000000042+0000');
  assert.match(clockTime(T), /^\d\d:51:01\.000000042$/);
});

test('text alert: time, priority, message', () => {
  assert.equal(formatText(alert(), true), '2021-07-27T19:51:01.000000042+0000: Warning File below /etc opened (file=/etc/x "q")');
  assert.match(formatText(alert({ priority: parsePriority('INFO')! }), false), /^\d\d:51:01\.000000042: Informational File/);
});

test('JSON alert: Falco keys, exact time field, escaping', () => {
  const line = formatJson(alert(), { ...DEFAULT_FORMAT_OPTIONS, hostname: 'h1' });
  assert.ok(line.includes('"output_fields":{"evt.time":1627415461000000042,'), line);
  const obj = JSON.parse(line);
  assert.deepEqual(Object.keys(obj), ['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  assert.equal(obj.hostname, 'h1');
  assert.equal(obj.priority, 'Warning');
  assert.equal(obj.rule, 'Write below etc');
  assert.equal(obj.time, '2021-07-27T19:51:01.000000042Z');
  assert.deepEqual(obj.tags, ['T1565', 'filesystem']);
  assert.equal(obj.output_fields['fd.name'], '/etc/x "q"');
  assert.equal(obj.output_fields['proc.pid'], 42);
  assert.equal(obj.output_fields['proc.tty'], null);
  assert.match(obj.output, /Warning File below \/etc opened/);
});

test('JSON alert: include_* options drop keys', () => {
  const opts = { ...DEFAULT_FORMAT_OPTIONS, hostname: 'h', includeOutput: false, includeTags: false, includeOutputFields: false, includeMessage: true };
  const obj = JSON.parse(formatJson(alert({ outputFields: () => ({}) }), opts));
  assert.deepEqual(Object.keys(obj), ['hostname', 'message', 'priority', 'rule', 'source', 'time']);
  assert.equal(obj.message, 'File below /etc opened (file=/etc/x "q")');
  const empty = JSON.parse(formatJson(alert({ outputFields: () => ({}) }), { ...DEFAULT_FORMAT_OPTIONS, hostname: 'h' }));
  assert.deepEqual(empty.output_fields, { 'evt.time': 1627415461000000042 });
});

test('summary lists severities by rank and rules in definition order', () => {
  const c = new AlertCounts();
  c.count('B', parsePriority('notice')!);
  c.count('A', parsePriority('error')!);
  c.count('B', parsePriority('notice')!);
  c.count('C', parsePriority('info')!);
  assert.equal(
    c.format(['A', 'B', 'C', 'D']),
    'Events detected: 4\nRule counts by severity:\n   Error: 1\n   Notice: 2\n   Info: 1\nTriggered rules by rule name:\n   A: 1\n   B: 2\n   C: 1\n',
  );
});

test('time formats stay right when consecutive times change second, day or go back', () => {
  const times = [T, T + 1n, T + 1_000_000_000n, T + 86_400_000_000_000n, T, 0n, 999_999_999n, 1_000_000_000n];
  for (const ns of times) {
    const d = new Date(Number(ns / 1_000_000_000n) * 1000);
    const frac = String(ns % 1_000_000_000n).padStart(9, '0');
    assert.equal(rfc3339(ns), `${d.toISOString().slice(0, 19)}.${frac}Z`);
    assert.equal(iso8601(ns), `${d.toISOString().slice(0, 19)}.${frac}+0000`);
    const local = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    assert.equal(clockTime(ns), `${local}.${frac}`);
  }
});

test('JSON alert: tags sorted without reordering the rule own array; names escaped', () => {
  const tags = ['zeta', 'alpha "q"'];
  const opts = { ...DEFAULT_FORMAT_OPTIONS, hostname: 'h"x' };
  for (let i = 0; i < 2; i++) {
    const obj = JSON.parse(formatJson(alert({ tags, rule: 'R "1"', source: 'k8s_audit' }), opts));
    assert.deepEqual(obj.tags, ['alpha "q"', 'zeta']);
    assert.equal(obj.rule, 'R "1"');
    assert.equal(obj.hostname, 'h"x');
    assert.equal(obj.source, 'k8s_audit');
  }
  assert.deepEqual(tags, ['zeta', 'alpha "q"']);
  const other = JSON.parse(formatJson(alert({ tags: ['b', 'a'] }), opts));
  assert.deepEqual(other.tags, ['a', 'b']);
});
