import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverride, builtinDefaults, ConfigError } from '../../src/config';
import { Outputs } from '../../src/outputs/outputs';
import { InternalAlert } from '../../src/outputs/internalAlert';

function fileOutput(filename: string) {
  let c = builtinDefaults();
  c = applyOverride(c, 'stdout_output.enabled=false');
  c = applyOverride(c, 'file_output.enabled=true');
  c = applyOverride(c, `file_output.filename=${filename}`);
  return c;
}

test('a file_output that cannot be opened is a configuration error naming the key and the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-outputs-'));
  const missing = path.join(dir, 'no-such-dir', 'events.txt');
  assert.throws(
    () => new Outputs(fileOutput(missing)),
    (e: unknown) => e instanceof ConfigError && e.message.includes('file_output.filename') && e.message.includes(missing),
  );
  assert.throws(() => new Outputs(fileOutput('[1, 2]')), (e: unknown) => e instanceof ConfigError && /file_output\.filename/.test(e.message));
  // an openable file still works
  const ok = path.join(dir, 'events.txt');
  new Outputs(fileOutput(ok)).close();
  assert.ok(fs.existsSync(ok));
});

test('a reload hands over: the old outputs deliver what they hold, close, and their counts go on in the new ones of the same name', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-handover-'));
  try {
    const file = path.join(dir, 'alerts.txt');
    const config = (json: boolean) => ['stdout_output.enabled=false', 'syslog_output.enabled=false', 'file_output.enabled=true', `file_output.filename=${file}`, 'file_output.keep_alive=true', `json_output=${json}`].reduce(applyOverride, builtinDefaults());
    const alert = new InternalAlert('R', 4, 'message', {}, 0);
    const before = new Outputs(config(false));
    before.emit(alert);
    before.emit(alert);
    const after = new Outputs(config(true));
    await before.handOver(after);
    after.emit(alert);
    await after.close();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /Warning message$/);
    assert.equal(JSON.parse(lines[2]).rule, 'R');
    assert.equal(after.channels.find((c) => c.name === 'file')!.stats.sent, 3);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
