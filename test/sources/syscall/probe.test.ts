import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Probe, CaptureError, ADDON_PATH } from '../../../src/sources/syscall/probe';
import { liveSkipReason } from './liveSupport';

const root = path.resolve(__dirname, '../../..');

test('bad options are refused before anything is loaded', () => {
  assert.throws(() => new Probe({ ringBytes: 5000 }), (e: CaptureError) => e.code === 'BAD_OPTION' && /power of two/.test(e.message));
  assert.throws(() => new Probe({ snaplen: 0 }), (e: CaptureError) => e.code === 'BAD_OPTION' && /snaplen/.test(e.message));
  assert.throws(() => new Probe({ snaplen: 5000 }), /snaplen must be an integer from 1 to 4096, got 5000/);
});

const rootSkip = liveSkipReason() ?? (fs.existsSync(ADDON_PATH) ? undefined : `addon not built at ${ADDON_PATH}`);
const setpriv = spawnSync('setpriv', ['--version']).status === 0;

test('not root: a clear message naming what is missing and how to go on', { skip: rootSkip ?? (setpriv ? undefined : 'setpriv missing') }, () => {
  const res = spawnSync(
    'setpriv',
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', path.join(__dirname, 'fixtures/loadProbe.ts')],
    { cwd: root, encoding: 'utf8', env: { ...process.env, HOME: '/tmp', TSX_DISABLE_CACHE: '1' } },
  );
  assert.equal(res.status, 0, res.stderr);
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
  assert.equal(out.loaded, false);
  assert.equal(out.name, 'CaptureError');
  assert.equal(out.code, 'NOT_ROOT');
  assert.match(out.message, /needs root/);
  assert.match(out.message, /uid 65534/);
  assert.match(out.message, /--disable-source syscall/);
});

test('as root the probe loads, reports stats and closes idempotently', { skip: rootSkip }, () => {
  const p = new Probe({ ringBytes: 1 << 16, snaplen: 64 });
  const st = p.stats();
  assert.deepEqual(Object.keys(st).sort(), ['file', 'net', 'other', 'process', 'total']);
  assert.equal(p.drain(), 0, 'nothing enabled, nothing to drain');
  p.close();
  p.close();
  assert.equal(p.closed, true);
  assert.throws(() => p.drain(), /probe is closed/);
});
