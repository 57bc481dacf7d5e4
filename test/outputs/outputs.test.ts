import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyOverride, builtinDefaults, ConfigError } from '../../src/config';
import { Outputs } from '../../src/outputs/outputs';

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
