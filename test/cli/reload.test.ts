// SIGHUP and watch_config_files on the real `vigil` command: configuration and
// rules are rebuilt together and put in place together, or not at all; what
// needs a restart is said, not pretended.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { listeningPort, type Live, startLive, stop, until } from './cliProcess';

const EVENT = JSON.stringify({
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  auditID: 'a1',
  stage: 'ResponseComplete',
  verb: 'create',
  user: { username: 'alice' },
  objectRef: { resource: 'configmaps', namespace: 'default', name: 'cm1' },
  stageTimestamp: '2024-01-01T00:00:00.000000Z',
});

function rule(name: string, out: string): string {
  return `- rule: ${name}\n  desc: t\n  condition: ka.verb = create\n  output: ${out} %ka.target.name\n  priority: WARNING\n  source: k8s_audit\n`;
}

function post(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/k8s-audit', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(EVENT);
  });
}

/** stdout lines that are alerts (text or JSON), the summary left out */
function alerts(live: Live): string[] {
  return live.out().split('\n').filter((l) => l.startsWith('{') || /^\d\d:\d\d:\d\d\.\d+: /.test(l));
}

async function alertOnce(live: Live, port: number): Promise<string> {
  const before = alerts(live).length;
  assert.equal(await post(port), 200);
  await until('the alert', () => alerts(live).length === before + 1, 15000, live.err);
  return alerts(live).at(-1)!;
}

async function reloadWith(live: Live, expect: RegExp, signal = true): Promise<void> {
  const mark = live.err().length;
  if (signal) live.child.kill('SIGHUP');
  await until(`a reload matching ${expect}`, () => expect.test(live.err().slice(mark)), 30000, live.err);
}

test('SIGHUP: a good configuration changes rules, rule files, format and matching together; broken ones change nothing and say why', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-reload-'));
  const cfg = path.join(dir, 'vigil.yaml');
  const v1 = path.join(dir, 'v1.yaml');
  const v2 = path.join(dir, 'v2.yaml');
  fs.writeFileSync(v1, rule('Create v1', 'first'));
  fs.writeFileSync(v2, rule('Create v2', 'second') + rule('Create v2b', 'also'));
  fs.writeFileSync(cfg, `rules_files: [${v1}]\njson_output: false\nwatch_config_files: false\n`);
  const live = startLive(['-c', cfg]);
  try {
    const port = await listeningPort(live);
    assert.match(await alertOnce(live, port), /: Warning first cm1$/);

    // a new rules file, JSON, every matching rule, and a threadiness change that needs a restart
    fs.writeFileSync(cfg, `rules_files: [${v2}]\njson_output: true\nrule_matching: all\nwatch_config_files: false\nwebserver: {threadiness: 3}\n`);
    await reloadWith(live, /rules reloaded: 2 enabled rule\(s\); outputs rebuilt/);
    assert.match(live.err(), new RegExp(`configuration reloaded from ${cfg.replace(/[.]/g, '\\.')} and -o`));
    assert.match(live.err(), /configuration reload: webserver changed, but it is set up at start: the running webserver stays until a restart/);
    assert.equal(await post(port), 200);
    await until('two JSON alerts', () => alerts(live).filter((l) => l.startsWith('{')).length === 2, 15000, live.err);
    assert.deepEqual(alerts(live).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).rule), ['Create v2', 'Create v2b']);

    // broken YAML: file:line:col, nothing changes
    fs.writeFileSync(cfg, `rules_files: [${v1}]\njson_output: false\nrule_matching: [first\n`);
    await reloadWith(live, /rules reload failed; the configuration and rules loaded before stay in effect/);
    assert.match(live.err(), new RegExp(`configuration reload: config file ${cfg.replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
    // a bad value a section's reader refuses
    fs.writeFileSync(cfg, `rules_files: [${v1}]\njson_output: false\nhttp_output: {enabled: true}\n`);
    await reloadWith(live, /rules reload failed/);
    assert.match(live.err(), /configuration reload: http_output\.url: empty \(http_output is enabled\)/);
    // a good configuration whose rules have an error: the rules file's line and column
    fs.writeFileSync(v1, rule('Create v1', 'first %ka.nosuch'));
    fs.writeFileSync(cfg, `rules_files: [${v1}]\njson_output: false\n`);
    await reloadWith(live, /rules reload failed/);
    assert.match(live.err(), new RegExp(`${v1.replace(/[.]/g, '\\.')}:4:\\d+: .*unknown field 'ka\\.nosuch'`));
    // still JSON, still both v2 rules
    assert.equal(await post(port), 200);
    await until('two more JSON alerts', () => alerts(live).filter((l) => l.startsWith('{')).length === 4, 15000, live.err);
    assert.deepEqual(alerts(live).slice(-2).map((l) => JSON.parse(l).rule), ['Create v2', 'Create v2b']);
  } finally {
    assert.deepEqual(await stop(live), [0, null], live.err());
    fs.rmSync(dir, { recursive: true });
  }
  // the exit summary counts alerts from before and after the reloads
  assert.match(live.out(), /Events detected: 5\n/);
});

test('watch_config_files: a changed rules file reloads without a signal; turned off, it does not', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-watch-'));
  const rules = path.join(dir, 'rules.yaml');
  const cfg = path.join(dir, 'vigil.yaml');
  fs.writeFileSync(rules, rule('Watched v1', 'one'));
  fs.writeFileSync(cfg, `rules_files: [${rules}]\n`);
  const live = startLive(['-c', cfg]);
  try {
    const port = await listeningPort(live);
    assert.match(await alertOnce(live, port), /one cm1$/);
    fs.writeFileSync(rules, rule('Watched v2', 'two'));
    await reloadWith(live, /rules reloaded/, false);
    assert.match(live.err(), new RegExp(`watch_config_files: ${rules.replace(/[.]/g, '\\.')} changed; reloading`));
    assert.match(await alertOnce(live, port), /two cm1$/);
    // a file appearing in a config_files directory is a change too
    const confd = path.join(dir, 'conf.d');
    fs.mkdirSync(confd);
    fs.writeFileSync(cfg, `rules_files: [${rules}]\nconfig_files: [${confd}]\n`);
    await reloadWith(live, /rules reloaded/, false);
    fs.writeFileSync(path.join(confd, 'json.yaml'), 'json_output: true\n');
    await reloadWith(live, /rules reloaded: 1 enabled rule\(s\); outputs rebuilt/, false);
    assert.equal(JSON.parse(await alertOnce(live, port)).rule, 'Watched v2');
    fs.rmSync(confd, { recursive: true });
    // the configuration file is watched too: turning watching off is itself a reload
    fs.writeFileSync(cfg, `rules_files: [${rules}]\nwatch_config_files: false\n`);
    await reloadWith(live, /rules reloaded/, false);
    const mark = live.err().length;
    fs.writeFileSync(rules, rule('Watched v3', 'three'));
    // nothing may come: a few times the time the watch lets a change settle
    await new Promise((r) => setTimeout(r, 1500));
    assert.doesNotMatch(live.err().slice(mark), /reload/);
    assert.match(await alertOnce(live, port), /"rule":"Watched v2"|two cm1$/);
  } finally {
    assert.deepEqual(await stop(live), [0, null], live.err());
    fs.rmSync(dir, { recursive: true });
  }
});
