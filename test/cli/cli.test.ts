// The real `vigil` command (dist/cli.js, built by npm test's setup step):
// validation with positions, rule description, field lists, trace files with
// both alert formats and the Falco summary, selection flags, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const FIX = path.join(__dirname, 'fixtures');
const OK = path.join(FIX, 'ok_rules.yaml');
const EVENTS = path.join(FIX, 'events.jsonl');

function vigil(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function jsonAlerts(stdout: string): Record<string, any>[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

test('--version and --help', async () => {
  const v = await vigil('--version');
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^Vigil version: \d+\.\d+\.\d+\nEngine version: \d+\.\d+\.\d+\n$/);
  const h = await vigil('--help');
  assert.equal(h.code, 0);
  assert.match(h.stdout, /-r FILE\|DIR/);
  const bad = await vigil('--frobnicate');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown option '--frobnicate'/);
});

test('-V accepts a valid file', async () => {
  const r = await vigil('-V', OK);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${OK}: Ok\n`);
});

test('-V lists every error with file, line, column, item and a caret', async () => {
  const bad = path.join(FIX, 'broken_rules.yaml');
  const r = await vigil('-V', bad);
  assert.equal(r.code, 1);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 3, r.stderr);
  // the unknown operator: line 3, at `startswit` (column of that word in the file)
  const line3 = '  condition: ka.verb = create and ka.user.name startswit admin';
  assert.ok(errors.some((e) => e.startsWith(`error: ${bad}:3:${line3.indexOf('startswit') + 1}: rule 'Bad Operator': `)), r.stderr);
  // the unknown field inside a folded scalar: line 12, column 5
  assert.ok(errors.some((e) => e.startsWith(`error: ${bad}:12:5: rule 'Unknown Field': `) && /ka\.user\.nmae/.test(e)), r.stderr);
  assert.ok(errors.some((e) => new RegExp(`^error: ${bad.replace(/[.]/g, '\\.')}:21:\\d+: rule 'Bad Priority': .*LOUD`).test(e)), r.stderr);
  // the offending line is shown with a caret under the column
  const lines = r.stderr.split('\n');
  const i = lines.findIndex((l) => l.includes("rule 'Unknown Field'"));
  assert.equal(lines[i + 1], '        ka.user.nmae = bob');
  assert.equal(lines[i + 2], `    ${' '.repeat(4)}^`);
});

test('-e reads a trace: text alerts, Falco summary, exit 0', async () => {
  const r = await vigil('-r', OK, '-e', EVENTS);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^\d\d:\d\d:\d\d\.103399123: Warning alice created configmaps\/cm1 \(ns=default\)$/);
  assert.match(lines[1], /^\d\d:\d\d:\d\d\.000000001: Informational deleted configmaps cm1 by carol$/);
  assert.deepEqual(lines.slice(2), [
    'Events detected: 2',
    'Rule counts by severity:',
    '   Warning: 1',
    '   Info: 1',
    'Triggered rules by rule name:',
    '   Admin Creates Something: 1',
    '   Any Delete: 1',
  ]);
});

test('-e with JSON output: Falco keys and values', async () => {
  const r = await vigil('-r', OK, '-e', EVENTS, '-o', 'json_output=true', '-o', 'time_format_iso_8601=true');
  assert.equal(r.code, 0, r.stderr);
  const [a, b] = jsonAlerts(r.stdout);
  assert.equal(a.rule, 'Admin Creates Something');
  assert.equal(a.priority, 'Warning');
  assert.equal(a.source, 'k8s_audit');
  assert.deepEqual(a.tags, ['admin', 'k8s']);
  assert.equal(a.time, '2024-05-14T09:45:35.103399123Z');
  assert.equal(a.output, '2024-05-14T09:45:35.103399123+0000: Warning alice created configmaps/cm1 (ns=default)');
  assert.equal(a.output_fields['ka.user.name'], 'alice');
  assert.equal(a.output_fields['ka.target.namespace'], 'default');
  assert.equal(typeof a.hostname, 'string');
  assert.equal(b.rule, 'Any Delete');
  assert.equal(b.priority, 'Informational');
});

test('priority threshold, -D, -t and -T select rules', async () => {
  const warnOnly = await vigil('-r', OK, '-e', EVENTS, '-o', 'priority=warning');
  assert.match(warnOnly.stdout, /Events detected: 1\n/);
  assert.doesNotMatch(warnOnly.stdout, /Any Delete/);
  const noDelete = await vigil('-r', OK, '-e', EVENTS, '-D', 'Delete');
  assert.match(noDelete.stdout, /Triggered rules by rule name:\n   Admin Creates Something: 1\n$/);
  const onlyAdmin = await vigil('-r', OK, '-e', EVENTS, '-t', 'admin');
  assert.match(onlyAdmin.stdout, /Events detected: 1\n/);
  const noK8s = await vigil('-r', OK, '-e', EVENTS, '-T', 'k8s');
  assert.match(noK8s.stdout, /Events detected: 0\n/);
});

test('a malformed trace line is reported with file and line, the rest is read, exit non-zero', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  const trace = path.join(dir, 'mixed.jsonl');
  const good = fs.readFileSync(EVENTS, 'utf8').split('\n').filter((l) => l.trim() !== '');
  fs.writeFileSync(trace, [good[0], '{"kind":"Event", "verb": ', good[1]].join('\n') + '\n');
  const r = await vigil('-r', OK, '-e', trace);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, new RegExp(`${trace.replace(/[.]/g, '\\.')}:2`));
  assert.match(r.stdout, /Events detected: 2\n/);
});

test('-L and -l describe rules; --list prints fields', async () => {
  const all = await vigil('-r', OK, '-L');
  assert.equal(all.code, 0);
  assert.match(all.stdout, /^Admin Creates Something\n.*priority: Warning/m);
  assert.match(all.stdout, /^Any Delete\n/m);
  const one = await vigil('-r', OK, '-l', 'Any Delete');
  assert.match(one.stdout, /condition: ka\.verb = delete/);
  const missing = await vigil('-r', OK, '-l', 'Nope');
  assert.equal(missing.code, 1);
  const list = await vigil('--list', 'k8s_audit');
  assert.equal(list.code, 0);
  assert.match(list.stdout, /^ka\.user\.name\s+\(string\)\s+\S/m);
  assert.match(list.stdout, /^jevt\.value\[key\]/m);
  const unknown = await vigil('--list', 'nosuch');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown source 'nosuch'/);
});

test('rules errors stop the agent before it starts', async () => {
  const r = await vigil('-r', path.join(FIX, 'broken_rules.yaml'), '-e', EVENTS);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /3 error\(s\) in rules\nnot starting\n/);
  assert.equal(r.stdout, '');
});

test('required_plugin_versions: k8saudit and json are satisfied by the built-in source, others warned about', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  const file = path.join(dir, 'plugins.yaml');
  fs.writeFileSync(
    file,
    ['- required_plugin_versions:', '    - name: k8saudit', '      version: 0.7.0', '    - name: json', '      version: 0.7.0', '    - name: okta', '      version: 0.1.0', ''].join('\n') +
      fs.readFileSync(OK, 'utf8'),
  );
  const r = await vigil('-V', file);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`note: ${file.replace(/[.]/g, '\\.')}:2:7: required_plugin_versions: required plugin 'k8saudit' 0\\.7\\.0: satisfied by the built-in k8s_audit source`));
  assert.match(r.stderr, /required plugin 'json' 0\.7\.0: satisfied by the built-in k8s_audit source/);
  assert.match(r.stderr, /warning: .*:6:7: required_plugin_versions: required plugin 'okta' 0\.1\.0 is not available/);
});

test('-V: one summary line per file (Ok, Ok with warnings, Invalid with its errors), exit 1 on any error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  const warned = path.join(dir, 'warned.yaml');
  fs.writeFileSync(warned, fs.readFileSync(OK, 'utf8') + '\n- macro: never_used\n  condition: ka.verb = get\n');
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, '- required_engine_version: 99.0.0\n- macro: unused_bad\n  condition: ka.nosuch = x\n');
  const r = await vigil('-V', OK, '-V', warned, '-V', bad);
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], `${OK}: Ok`);
  assert.equal(lines[1], `${warned}: Ok, with warnings`);
  assert.equal(lines[2], `${bad}: Invalid`);
  assert.match(r.stdout, /bad\.yaml:1:28: required_engine_version: rules require engine version 99\.0\.0/);
  assert.match(r.stdout, /bad\.yaml:3:14: macro 'unused_bad': unknown field 'ka\.nosuch'/);
  assert.doesNotMatch(r.stdout, /: Ok\n?$/);
  const good = await vigil('-V', OK, '-V', warned);
  assert.equal(good.code, 0, good.stderr);
});

test('-V and -L with json_output print Falco\'s JSON shapes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-cli-'));
  const bad = path.join(dir, 'bad.yaml');
  fs.writeFileSync(bad, '- macro: m\n  condition: ka.nosuch = x\n');
  const r = await vigil('-V', OK, '-V', bad, '-o', 'json_output=true');
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out), ['falco_load_results']);
  const [ok, invalid] = out.falco_load_results;
  assert.equal(ok.name, OK);
  assert.equal(ok.successful, true);
  assert.deepEqual(ok.errors, []);
  assert.equal(invalid.successful, false);
  const e = invalid.errors[0];
  assert.equal(e.code, 'LOAD_ERR_COMPILE_CONDITION');
  assert.equal(e.codedesc, 'Error compiling condition');
  assert.equal(e.message, "unknown field 'ka.nosuch'");
  assert.deepEqual(e.context.locations, [{ item_type: 'macro', item_name: 'm', position: { name: bad, line: 2, column: 14, offset: 24 } }]);
  assert.match(e.context.snippet, /condition: ka\.nosuch = x\n\s+\^/);
  const unused = invalid.warnings.find((w: { code: string }) => w.code === 'LOAD_UNUSED_MACRO');
  assert.ok(unused, JSON.stringify(invalid.warnings));

  const withDescribe = JSON.parse((await vigil('-V', OK, '-L', '-o', 'json_output=true')).stdout);
  assert.equal(withDescribe.falco_describe_results.rules[0].info.name, 'Admin Creates Something');
  const described = await vigil('-r', OK, '-L', '-o', 'json_output=true');
  assert.equal(described.code, 0, described.stderr);
  const d = JSON.parse(described.stdout);
  assert.deepEqual(Object.keys(d), ['required_engine_version', 'required_plugin_versions', 'rules', 'macros', 'lists']);
  const rule = d.rules.find((x: { info: { name: string } }) => x.info.name === 'Admin Creates Something');
  assert.deepEqual(Object.keys(rule.info), ['name', 'condition', 'priority', 'output', 'description', 'enabled', 'source', 'capture', 'capture_duration', 'tags']);
  assert.equal(rule.info.priority, 'Warning');
  assert.ok(rule.details.output_fields.includes('ka.user.name'));
  assert.ok(d.macros.some((m: { info: { name: string } }) => m.info.name === 'is_create'), JSON.stringify(d.macros));
  const one = JSON.parse((await vigil('-r', OK, '-l', 'Any Delete', '-o', 'json_output=true')).stdout);
  assert.deepEqual(one.rules.map((x: { info: { name: string } }) => x.info.name), ['Any Delete']);
});

test('a field value holding a newline cannot forge an alert line: text output on stdout and in the file channel escapes it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-forge-'));
  try {
    const rules = path.join(dir, 'rules.yaml');
    fs.writeFileSync(rules, '- rule: Any configmap\n  desc: t\n  condition: ka.target.resource=configmaps\n  output: configmap touched (user=%ka.user.name)\n  priority: WARNING\n  source: k8s_audit\n');
    const trace = path.join(dir, 'forge.json');
    const evt = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Request',
      auditID: '1',
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/default/configmaps',
      verb: 'create',
      user: { username: 'x\n12:00:00.000000000: Critical Fake alert\x1b[2K' },
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'c', apiVersion: 'v1' },
      responseStatus: { code: 201 },
      requestReceivedTimestamp: '2024-01-01T00:00:00.000000Z',
      stageTimestamp: '2024-01-01T00:00:00.000000Z',
    };
    fs.writeFileSync(trace, JSON.stringify(evt));
    const file = path.join(dir, 'alerts.txt');
    const r = await vigil('-r', rules, '-e', trace, '-o', 'file_output.enabled=true', '-o', `file_output.filename=${file}`);
    assert.equal(r.code, 0, r.stderr);
    const expected = '00:00:00.000000000: Warning configmap touched (user=x\\n12:00:00.000000000: Critical Fake alert\\x1b[2K)';
    assert.equal(r.stdout.split('\n')[0], expected);
    assert.doesNotMatch(r.stdout, /^12:00:00/m);
    assert.equal(fs.readFileSync(file, 'utf8'), `${expected}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
