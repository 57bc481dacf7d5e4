import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SYSCALL_NUMBERS, slotsFor, PROCEXIT_SLOT } from '../../../src/sources/syscall/syscallTable';
import { EVENT_LIST } from '../../../src/sources/syscall/eventTable';

const UNISTD = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';

test('syscall numbers agree with the kernel headers', { skip: fs.existsSync(UNISTD) ? undefined : `${UNISTD} missing` }, () => {
  const text = fs.readFileSync(UNISTD, 'utf8');
  for (const [name, nr] of Object.entries(SYSCALL_NUMBERS)) {
    const m = new RegExp(`#define __NR_${name} (\\d+)`).exec(text);
    assert.ok(m, `${name} not in ${UNISTD}`);
    assert.equal(Number(m[1]), nr, name);
  }
});

test('the probe spec, the syscall table and the event table agree', () => {
  const spec = fs.readFileSync(path.resolve(__dirname, '../../../bpf/syscall_specs.h'), 'utf8');
  const header = fs.readFileSync(path.resolve(__dirname, '../../../bpf/vigil_events.h'), 'utf8');
  const codes = new Map([...header.matchAll(/(VG_\w+) = (\d+),/g)].map((m) => [m[1], Number(m[2])]));
  const byName = new Map(EVENT_LIST.map((e) => [e.name, e]));
  let checked = 0;
  for (const m of spec.matchAll(/\bSX?\((\d+), (VG_\w+), VG_CAT_\w+, (\w+)/g)) {
    const nr = Number(m[1]);
    const name = Object.keys(SYSCALL_NUMBERS).find((k) => SYSCALL_NUMBERS[k] === nr);
    assert.ok(name, `syscall ${nr} of the probe is missing from syscallTable.ts`);
    const ev = byName.get(name);
    assert.ok(ev, `${name} is missing from eventTable.ts`);
    assert.equal(codes.get(m[2]), ev.code, `${name}: event code`);
    if (/^\d+$/.test(m[3])) assert.equal(Number(m[3]), ev.params.length, `${name}: parameter count`);
    checked++;
  }
  assert.equal(checked, Object.keys(SYSCALL_NUMBERS).length);
});

test('slotsFor: names to slots, unknown names refused with the list', () => {
  const s = slotsFor(['openat', 'procexit']);
  assert.equal(s[257], 1);
  assert.equal(s[PROCEXIT_SLOT], 1);
  assert.equal(s.reduce((a, b) => a + b, 0), 2);
  assert.equal(slotsFor('all').reduce((a, b) => a + b, 0), Object.keys(SYSCALL_NUMBERS).length + 1);
  assert.throws(() => slotsFor(['opne']), /unknown syscall 'opne': capturable are .*openat/);
});
