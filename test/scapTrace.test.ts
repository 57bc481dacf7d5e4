// `vigil -e` on syscall captures, through the real command: Falco's summary,
// the read line, -A, and a damaged capture (its events before the damage
// evaluated, the error with the byte offset, a non-zero exit).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { EVERY_EVENT_RULE, vigil } from './sources/syscall/scap/sysdig';

const CAT_WRITE = path.join(__dirname, 'sources/syscall/scap/fixtures/cat_write.scap');

test('vigil -e capture.scap (gzip): alerts, the Falco summary, what was read', async () => {
  const r = await vigil('-r', EVERY_EVENT_RULE, '-e', CAT_WRITE);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Events detected: 10\nRule counts by severity:\n {3}Info: 10\nTriggered rules by rule name:\n {3}every event: 10\n/);
  assert.match(r.stderr, /syscall: 16 events read from .*cat_write\.scap \(gzip\): 10 evaluated, 6 not evaluated \(types libs flags EF_DROP_SIMPLE_CONS; -A evaluates them\), 16 converted from older layouts; 323 skipped, of types Vigil does not decode \(procinfo 260, mmap 20/);
  const all = await vigil('-r', EVERY_EVENT_RULE, '-A', '-e', CAT_WRITE);
  assert.match(all.stdout, /Events detected: 16\n/);
});

test('vigil -e on a damaged capture: events before the damage, the error with its offset, exit 2', async () => {
  const raw = zlib.gunzipSync(fs.readFileSync(CAT_WRITE));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scap-cli-')), 'cut.scap');
  fs.writeFileSync(file, raw.subarray(0, Math.floor(raw.length * 0.9)));
  const r = await vigil('-r', EVERY_EVENT_RULE, '-A', '-e', file);
  assert.equal(r.code, 2);
  const detected = Number(/Events detected: (\d+)/.exec(r.stdout)?.[1]);
  assert.ok(detected > 0 && detected < 16, `${detected} events before the cut`);
  assert.match(r.stderr, /cut\.scap: truncated capture: the block of type 0x204 is \d+ bytes, the capture ends after \d+ \(at byte \d+\); the \d+ events before it were evaluated/);
});
