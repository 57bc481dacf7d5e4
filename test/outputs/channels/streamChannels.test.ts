// file_output: keep_alive holds one descriptor, reopened by SIGUSR1's
// reopen() (rotation by rename); without it the file is opened per write, so
// a renamed file is never written again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Outputs } from '../../../src/outputs/outputs';
import { alert, collectLog, config } from './alerts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-file-'));

function lines(f: string): string[] {
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean);
}

function turn(): Promise<void> {
  return new Promise((r) => setImmediate(() => setImmediate(r)));
}

test('keep_alive: writes go to the open file until reopen(), then to a new file of the same name', async () => {
  const f = path.join(dir, 'kept.txt');
  const out = new Outputs(config('file_output.enabled=true', 'file_output.keep_alive=true', `file_output.filename=${f}`), collectLog());
  out.emit(alert(1));
  await turn();
  fs.renameSync(f, `${f}.1`);
  out.emit(alert(2));
  await turn();
  // still the rotated file: the descriptor is the same
  assert.equal(lines(`${f}.1`).length, 2);
  out.reopen();
  out.emit(alert(3));
  await out.close();
  assert.equal(lines(`${f}.1`).length, 2);
  assert.deepEqual(lines(f).map((l) => l.replace(/^.*alert number /, '')), ['3']);
  assert.equal(out.channels[0].stats.sent, 3);
});

test('without keep_alive: each write opens the file, so a rename is followed at once', async () => {
  const f = path.join(dir, 'each.txt');
  const out = new Outputs(config('file_output.enabled=true', `file_output.filename=${f}`, 'json_output=true'), collectLog());
  out.emit(alert(1));
  out.emit(alert(2));
  await turn();
  fs.renameSync(f, `${f}.1`);
  out.emit(alert(3));
  await out.close();
  assert.equal(lines(`${f}.1`).length, 2);
  assert.equal(JSON.parse(lines(f)[0]).output_fields['ka.user.name'], 'user3');
});

test('a file that vanishes with its directory is a counted failure, not a crash', async () => {
  const sub = fs.mkdtempSync(path.join(dir, 'gone-'));
  const f = path.join(sub, 'x.txt');
  const l = collectLog();
  const out = new Outputs(config('file_output.enabled=true', `file_output.filename=${f}`), l);
  fs.rmSync(sub, { recursive: true });
  out.emit(alert(1));
  await out.close();
  assert.equal(out.channels[0].stats.dropped.failed, 1);
  assert.ok(l.lines.some((x) => x.includes('file output: 1 alert(s) dropped so far because delivery failed')), l.lines.join('\n'));
});
