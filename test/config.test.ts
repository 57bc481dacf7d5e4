import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverride, builtinDefaults, ConfigError, get, getBool, mergeConfig, readConfigFile } from '../src/config';
import { unknownConfigKeys } from '../src/configKeys';

test('-o overrides set nested keys and parse YAML scalars', () => {
  let c = builtinDefaults();
  c = applyOverride(c, 'webserver.listen_port=9999');
  c = applyOverride(c, 'json_output=true');
  c = applyOverride(c, 'file_output.filename=/tmp/x=y.txt');
  assert.equal(get(c, 'webserver.listen_port', 0), 9999);
  assert.equal(getBool(c, 'json_output', false), true);
  assert.equal(get(c, 'file_output.filename', ''), '/tmp/x=y.txt');
  // merging keeps sibling keys
  assert.equal(getBool(c, 'file_output.enabled', true), false);
});

test('-o rejects a spec without = or with an empty key', () => {
  assert.throws(() => applyOverride({}, 'json_output'), ConfigError);
  assert.throws(() => applyOverride({}, 'a..b=1'), /empty key/);
});

test('config file merges over defaults and accepts the older rules_file key', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-config-'));
  const file = path.join(dir, 'falco.yaml');
  fs.writeFileSync(file, 'rules_file:\n  - /a.yaml\nstdout_output:\n  enabled: false\n');
  const c = mergeConfig(builtinDefaults(), readConfigFile(file));
  assert.deepEqual(get(c, 'rules_files', []), ['/a.yaml']);
  assert.equal(getBool(c, 'stdout_output.enabled', true), false);
  assert.equal(get(c, 'priority', ''), 'debug');
});

test('config file errors name the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-config-'));
  const file = path.join(dir, 'bad.yaml');
  fs.writeFileSync(file, '- a\n- b\n');
  assert.throws(() => readConfigFile(file), /bad\.yaml: the top level must be a mapping/);
  assert.throws(() => readConfigFile(path.join(dir, 'missing.yaml')), /cannot read config file .*missing\.yaml/);
});

test('getBool refuses values that are not booleans', () => {
  assert.throws(() => getBool({ json_output: 'yes please' }, 'json_output', false), /json_output: expected true or false/);
  assert.equal(getBool({}, 'json_output', true), true);
});

test("-o list syntax as Falco takes it: [N] indexes, [] appends, backslash escapes", () => {
  let c = builtinDefaults();
  c = applyOverride(c, 'rules_files[0]=/etc/a.yaml');
  c = applyOverride(c, 'rules_files[]=/etc/b.yaml');
  assert.deepEqual(c.rules_files, ['/etc/a.yaml', '/etc/b.yaml']);
  c = applyOverride(c, 'rules[].disable.rule=*');
  c = applyOverride(c, 'rules[].enable.tag=network');
  c = applyOverride(c, 'rules[1].enable.tag=k8s');
  assert.deepEqual(c.rules, [{ disable: { rule: '*' } }, { enable: { tag: 'k8s' } }]);
  c = applyOverride(c, 'odd\\.key.x=1');
  assert.deepEqual(c['odd.key'], { x: 1 });
  for (const [spec, why] of [
    ['rules_files[5]=x', /index 5 is past the end of a sequence of 1/],
    ['rules_files[a]=x', /expected a numeric index or \[\]/],
    ['json_output[0]=x', /not a sequence/],
    ['rules[0]x=1', /expected '\.' after '\]'/],
    ['a..b=1', /empty key/],
    ['a\\q=1', /invalid escape/],
    ['[0]=1', /with no key before it/],
  ] as [string, RegExp][]) {
    assert.throws(() => applyOverride(builtinDefaults(), spec), (e: unknown) => e instanceof ConfigError && why.test(e.message), spec);
  }
});

test('unknown configuration keys are found with their path', () => {
  const c = mergeConfig(builtinDefaults(), { jsn_output: true, webserver: { listen_prot: 1, enabled: true }, file_output: { filename: 'x' }, plugins: [{ name: 'x' }] });
  assert.deepEqual(unknownConfigKeys(c), ['webserver.listen_prot', 'jsn_output', 'plugins']);
  assert.deepEqual(unknownConfigKeys(builtinDefaults()), []);
});
