// The configuration file on the real `vigil` command: /etc/vigil/vigil.yaml is
// read when no -c is given. The test puts one there only inside a private
// mount namespace (an overlay on /etc), so the machine's /etc is untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, FIX, run } from './cliProcess';

const OK = path.join(FIX, 'ok_rules.yaml');

const root = process.getuid?.() === 0;
const unshare = root && spawnSync('unshare', ['-m', 'true']).status === 0;

test('/etc/vigil/vigil.yaml is read without -c (and its config_files), -c replaces it', { skip: unshare ? false : 'SKIPPED LOUDLY: needs root and unshare -m to lay a private /etc/vigil/vigil.yaml over /etc' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-etc-'));
  try {
    const other = path.join(dir, 'other.yaml');
    fs.writeFileSync(other, 'priority: notice\n');
    const script = [
      'set -e',
      `mount -t tmpfs tmpfs ${dir}/ovl`,
      `mkdir ${dir}/ovl/u ${dir}/ovl/w`,
      `mount -t overlay overlay -o lowerdir=/etc,upperdir=${dir}/ovl/u,workdir=${dir}/ovl/w /etc`,
      'mkdir -p /etc/vigil/config.d',
      `printf 'priority: error\\nconfig_files: [/etc/vigil/config.d]\\n' > /etc/vigil/vigil.yaml`,
      `printf 'json_output: true\\n' > /etc/vigil/config.d/10-json.yaml`,
      `"${process.execPath}" "${CLI}" --support -r "${OK}" > ${dir}/default.json`,
      `"${process.execPath}" "${CLI}" --support -r "${OK}" -c ${other} > ${dir}/given.json`,
    ].join('\n');
    fs.mkdirSync(path.join(dir, 'ovl'));
    const r = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const def = JSON.parse(fs.readFileSync(path.join(dir, 'default.json'), 'utf8'));
    assert.deepEqual(def.config_files.map((f: { name: string }) => f.name), ['/etc/vigil/vigil.yaml', '/etc/vigil/config.d/10-json.yaml']);
    assert.equal(def.config, 'priority: error\nconfig_files: [/etc/vigil/config.d]\n');
    assert.equal(def.effective_config.priority, 'error');
    assert.equal(def.effective_config.json_output, true);
    const given = JSON.parse(fs.readFileSync(path.join(dir, 'given.json'), 'utf8'));
    assert.deepEqual(given.config_files.map((f: { name: string }) => f.name), [other]);
    assert.equal(given.config, 'priority: notice\n');
    assert.equal(given.effective_config.priority, 'notice');
    assert.equal(fs.existsSync('/etc/vigil/vigil.yaml'), false, 'the machine /etc is untouched');
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});

test('a configuration file with a YAML error stops the agent naming file:line:col', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-badcfg-'));
  try {
    const cfg = path.join(dir, 'vigil.yaml');
    fs.writeFileSync(cfg, 'priority: warning\nwebserver:\n  listen_port: [8765\n');
    const r = await run(['-c', cfg, '-r', OK, '--dry-run']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`vigil: config file ${cfg.replace(/[.]/g, '\\.')}:\\d+:\\d+: `));
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
