// The addon's layout facts against the decoder's: the built addon agrees, and
// each kind of drift is reported with what differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ADDON_PATH } from '../../../src/sources/syscall/probe';
import { layoutMismatches, type NativeLayout } from '../../../src/sources/syscall/probeLayout';
import { SYSCALL_NUMBERS } from '../../../src/sources/syscall/syscallTable';

const built = fs.existsSync(ADDON_PATH);
if (!built) console.log(`# SKIPPING the built addon's layout check: ${ADDON_PATH} is not built`);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const real = (): NativeLayout => structuredClone((require(ADDON_PATH) as { layout: NativeLayout }).layout);

test('the built addon agrees with the decoder on every layout fact and spec', { skip: !built }, () => {
  const l = real();
  assert.deepEqual(layoutMismatches(l), []);
  assert.equal(l.exitSpecs.length, Object.keys(SYSCALL_NUMBERS).length, 'one exit spec per capturable syscall');
  assert.deepEqual(l.enterSpecs.map(([nr]) => nr), [2, 257, 437, 85, 42], 'open, openat, openat2, creat, connect have enter events');
});

test('a drifted layout fact is named with both values', { skip: !built }, () => {
  const l = real();
  l.headerLen = 28;
  l.categories = 5;
  const bad = layoutMismatches(l);
  assert.equal(bad.length, 2, bad.join('\n'));
  assert.match(bad[0], /header length \(VG_HEADER_LEN\): the addon has 28, the decoder 26/);
  assert.match(bad[1], /stat categories \(VG_CAT_COUNT\): the addon has 5, the decoder 4/);
});

test('a drifted spec is named: parameter count, event code, a syscall the probe cannot report', { skip: !built }, () => {
  const l = real();
  const close = l.exitSpecs.find(([nr]) => nr === 3)!;
  close[2] = 3; // close exit has res and fd
  const openE = l.enterSpecs.find(([nr]) => nr === 2)!;
  openE[1] = 3; // the open exit's code sent as the enter
  l.exitSpecs = l.exitSpecs.filter(([nr]) => nr !== 62); // no spec for kill
  const bad = layoutMismatches(l).join('\n');
  assert.match(bad, /close exit \(event 5\): the probe writes 3 parameters, the decoder expects 2/);
  assert.match(bad, /syscall 2: the probe sends enter event 3, which the decoder knows as an exit event/);
  assert.match(bad, /kill \(62\): syscallTable\.ts lets it be enabled, but the probe has no spec for it/);
});

test('an addon without layout facts is refused fact by fact', () => {
  const bad = layoutMismatches({} as NativeLayout);
  assert.ok(bad.some((b) => /header length/.test(b)) && bad.some((b) => /no spec for it/.test(b)), bad.join('\n'));
});
