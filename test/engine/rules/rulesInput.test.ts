import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { readRulesInputs } from '../../../src/engine/rules/rulesInput';
import { Engine } from '../../../src/engine/engine';
import { syscallTestSource } from './engineFor';

function tempDir(): string {
  return fs.mkdtempSync(join(os.tmpdir(), 'vigil-rules-input-'));
}

test('a FIFO named x.yaml in a rules directory is refused at once, and the regular files beside it are read', () => {
  const dir = tempDir();
  try {
    execFileSync('mkfifo', [join(dir, 'a.yaml')]);
    fs.writeFileSync(join(dir, 'b.yaml'), '- list: l\n  items: [a]\n');
    const started = Date.now();
    const { files, errors } = readRulesInputs([dir]);
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(files.map((f) => f.name), [join(dir, 'b.yaml')]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].message, `cannot read rules file '${join(dir, 'a.yaml')}': not a regular file (a FIFO); only regular files are read`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink to /dev/zero is refused as a character device, named and alone', () => {
  const dir = tempDir();
  try {
    fs.symlinkSync('/dev/zero', join(dir, 'z.yaml'));
    const { files, errors } = readRulesInputs([dir, join(dir, 'z.yaml')]);
    assert.deepEqual(files, []);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        `cannot read rules file '${join(dir, 'z.yaml')}': not a regular file (a character device); only regular files are read`,
        `cannot read rules file '${join(dir, 'z.yaml')}': not a regular file (a character device); only regular files are read`,
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file over the size limit is refused with its size; one at the limit is read whole', () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(1001));
    fs.writeFileSync(join(dir, 'ok.yaml'), 'y'.repeat(1000));
    const { files, errors } = readRulesInputs([join(dir, 'big.yaml'), join(dir, 'ok.yaml')], 1000);
    assert.deepEqual(errors.map((e) => e.message), [`cannot read rules file '${join(dir, 'big.yaml')}': 1001 bytes, more than the 1000-byte limit for a rules file`]);
    assert.equal(files.length, 1);
    assert.equal(files[0].content, 'y'.repeat(1000));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the engine reports an unreadable input and still loads the readable ones', () => {
  const dir = tempDir();
  try {
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    fs.writeFileSync(join(dir, 'rules.yaml'), '- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: WARNING\n');
    const engine = new Engine([syscallTestSource]);
    const res = engine.loadRulesFiles([dir, join(dir, 'missing.yaml')]);
    assert.equal(engine.rules.length, 1);
    assert.equal(res.errors.length, 2);
    assert.match(res.errors[0].message, /fifo\.yaml': not a regular file \(a FIFO\)/);
    assert.match(res.errors[1].message, /missing\.yaml': ENOENT/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
