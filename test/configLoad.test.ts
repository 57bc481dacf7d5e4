import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinDefaults, ConfigError } from '../src/config';
import { KNOWN } from '../src/configKeys';
import { expandEnv, loadConfiguration } from '../src/configLoad';

const SHIPPED = path.resolve(__dirname, '../vigil.yaml');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-configload-'));
}

test('the shipped vigil.yaml holds exactly the built-in defaults and documents every top-level key Vigil reads', () => {
  const loaded = loadConfiguration({ configFile: SHIPPED, overrides: [] });
  assert.deepEqual(loaded.unknownKeys, []);
  const { config_files: included, ...rest } = loaded.config;
  assert.deepEqual(included, ['/etc/vigil/config.d']);
  assert.deepEqual(rest, builtinDefaults());
  const text = fs.readFileSync(SHIPPED, 'utf8');
  const undocumented = Object.keys(KNOWN).filter((k) => k !== 'rules_file' && !new RegExp(`^(# )?${k}:`, 'm').test(text));
  assert.deepEqual(undocumented, []);
});

test('without -c the default file is read when it exists, and only then', () => {
  const dir = tmpDir();
  try {
    const def = path.join(dir, 'vigil.yaml');
    assert.deepEqual(loadConfiguration({ overrides: [], defaultFile: def }).config, builtinDefaults());
    fs.writeFileSync(def, 'priority: error\n');
    const l = loadConfiguration({ overrides: [], defaultFile: def });
    assert.equal(l.config.priority, 'error');
    assert.deepEqual(l.files.map((f) => f.name), [def]);
    const other = path.join(dir, 'other.yaml');
    fs.writeFileSync(other, 'priority: notice\n');
    assert.equal(loadConfiguration({ configFile: other, overrides: [], defaultFile: def }).config.priority, 'notice');
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('config_files: files and directories (sorted) merged in order with Falco strategies; absent ones skipped', () => {
  const dir = tmpDir();
  try {
    const w = (name: string, text: string): string => {
      const f = path.join(dir, name);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, text);
      return f;
    };
    const main = w('main.yaml', `rules_files: [a.yaml]\npriority: debug\njson_output: false\nwebserver: {listen_port: 1000, threadiness: 2}\nconfig_files:\n  - ${dir}/one.yaml\n  - ${dir}/missing.yaml\n  - ${dir}/conf.d\n  - {path: ${dir}/over.yaml, strategy: override}\n  - {path: ${dir}/addonly.yaml, strategy: add-only}\n`);
    w('one.yaml', 'rules_files: [b.yaml]\npriority: notice\n');
    w('conf.d/20-b.yaml', 'rules_files: [d.yaml]\n');
    w('conf.d/10-a.yaml', 'rules_files: [c.yaml]\nwebserver: {listen_port: 2000}\n');
    w('over.yaml', 'rules_files: [e.yaml]\n');
    w('addonly.yaml', 'json_output: true\nrule_matching: all\n');
    const l = loadConfiguration({ configFile: main, overrides: [] });
    assert.deepEqual(l.files.map((f) => path.relative(dir, f.name)), ['main.yaml', 'one.yaml', 'conf.d/10-a.yaml', 'conf.d/20-b.yaml', 'over.yaml', 'addonly.yaml']);
    assert.deepEqual(l.directories, [`${dir}/conf.d`]);
    // append: lists grow; override: replaced; add-only: only keys not set
    assert.deepEqual(l.config.rules_files, ['e.yaml']);
    assert.equal(l.config.priority, 'notice');
    assert.equal(l.config.json_output, false);
    assert.equal(l.config.rule_matching, 'all');
    // a top-level mapping is replaced by an included file's (then Vigil's defaults fill it)
    assert.equal((l.config.webserver as Record<string, unknown>).listen_port, 2000);
    assert.equal((l.config.webserver as Record<string, unknown>).threadiness, 0);
    fs.writeFileSync(path.join(dir, 'over.yaml'), 'priority: error\n');
    const appended = loadConfiguration({ configFile: main, overrides: [] });
    assert.deepEqual(appended.config.rules_files, ['a.yaml', 'b.yaml', 'c.yaml', 'd.yaml']);
    // -o on config_files counts before the files are included
    const viaO = loadConfiguration({ configFile: main, overrides: [`config_files=[${dir}/one.yaml]`, 'priority=warning'] });
    assert.deepEqual(viaO.files.map((f) => path.basename(f.name)), ['main.yaml', 'one.yaml']);
    assert.equal(viaO.config.priority, 'warning');
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('config_files errors say which entry or file and why', () => {
  const dir = tmpDir();
  try {
    const main = path.join(dir, 'main.yaml');
    const check = (text: string, re: RegExp): void => {
      fs.writeFileSync(main, text);
      assert.throws(() => loadConfiguration({ configFile: main, overrides: [] }), (e: unknown) => e instanceof ConfigError && re.test(e.message));
    };
    check(`config_files: [${main}]\n`, /config_files\[0\]: '.*main\.yaml' is the main configuration file itself/);
    check('config_files: x.yaml\n', /config_files: expected a list/);
    check(`config_files: [{path: ${dir}/x.yaml, strategy: merge}]\n`, /config_files\[0\]\.strategy: expected append, override, add-only, got "merge"/);
    fs.writeFileSync(path.join(dir, 'inner.yaml'), 'config_files: [/etc]\n');
    check(`config_files: [${dir}/inner.yaml]\n`, /inner\.yaml: config_files in an included file \(config_files\[0\]\) is not allowed/);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'priority: [unclosed\n');
    check(`config_files: [${dir}/bad.yaml]\n`, /bad\.yaml:\d+:\d+: /);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('${VAR} in configuration strings is the environment variable; $${ stays literal', () => {
  const env = { HOME: '/home/x', EMPTY: '' };
  assert.deepEqual(expandEnv({ a: '${HOME}/rules', b: ['x${UNSET}y', 1, true], c: { d: '$${HOME} ${EMPTY}!' } }, env), { a: '/home/x/rules', b: ['xy', 1, true], c: { d: '${HOME} !' } });
});
