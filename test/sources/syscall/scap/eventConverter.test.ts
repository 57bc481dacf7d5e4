// Every historical layout libs' table lists for the event types Vigil decodes
// becomes the current layout, each parameter carried over by name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventView, HEADER_LEN } from '../../../../src/sources/syscall/decode';
import { EVENT_LIST } from '../../../../src/sources/syscall/eventTable';
import { EventConverter } from '../../../../src/sources/syscall/scap/eventConverter';
import { LIBS_EVENTS, type LibsEvent } from '../../../../src/sources/syscall/scap/libsEventTable';
import { libsEvent, type Param } from './scapBytes';

/** a distinct value per parameter, of its type's width, so it can be found again */
function valueFor(type: string, i: number): Param {
  if (/CHARBUF|FSPATH|FSRELPATH/.test(type)) return `/p${i}`;
  if (/BYTEBUF|SOCKADDR|SOCKTUPLE|DYN/.test(type)) return Buffer.from([2, i, i, i]);
  return 100 + i;
}

/** parameter i of an event built with `params` under `code` */
function paramBytes(code: number, params: Param[], i: number): Buffer {
  const b = libsEvent(code, 0, 0n, params);
  let at = HEADER_LEN + 2 * params.length;
  for (let k = 0; k < i; k++) at += b.readUInt16LE(HEADER_LEN + 2 * k);
  return b.subarray(at, at + b.readUInt16LE(HEADER_LEN + 2 * i));
}

function convert(bytes: Buffer[], v2: boolean): { view: EventView; length: number; conv: EventConverter } {
  const ab = new ArrayBuffer(1 << 16);
  const out = Buffer.from(ab);
  let length = 0;
  const place = { buf: out, at: 0 };
  const conv = new EventConverter({
    reserve: () => {
      place.at = length;
      return place;
    },
    commit: (n) => {
      length += n;
    },
  });
  for (const b of bytes) conv.take(b, 0, b.length, v2, 0);
  return { view: new EventView(ab), length, conv };
}

const current = new Map(EVENT_LIST.filter((e) => e.dir === '<').map((e) => [e.name, e]));
const older: LibsEvent[] = LIBS_EVENTS.filter((e): e is LibsEvent => !!e && e.dir === 'X' && current.has(e.name) && current.get(e.name)!.code !== e.code);

test(`older exit layouts of decoded types (${older.length} of them) become the current event, parameters by name`, () => {
  assert.ok(older.length >= 15, older.map((e) => e.symbol).join(', '));
  for (const old of older) {
    const target = current.get(old.name)!;
    const params = old.types.map((t, i) => valueFor(t, i));
    for (const v2 of [true, false]) {
      const { view, length, conv } = convert([libsEvent(old.code, 42, 7n, params, v2)], v2);
      assert.equal(conv.stats.converted, 1, old.symbol);
      view.moveTo(0, length);
      assert.equal(view.type, target.code, `${old.symbol} -> ${target.symbol}`);
      assert.equal(view.nparams, target.params.length);
      assert.equal(view.tid, 42);
      old.params.forEach((name, i) => {
        const j = target.paramIndex.get(name);
        if (j === undefined) return;
        const want = paramBytes(old.code, params, i);
        assert.deepEqual(Buffer.from(view.raw(j)), want, `${old.symbol}.${name}`);
      });
    }
  }
});

test('an exit missing parameters takes them from the same thread\'s enter, by name', () => {
  const pairs = LIBS_EVENTS.filter((e): e is LibsEvent => !!e && e.dir === 'E' && e.params.length > 0 && current.has(e.name) && LIBS_EVENTS[e.code + 1]?.name === e.name);
  let checked = 0;
  for (const enter of pairs) {
    const exit = LIBS_EVENTS[enter.code + 1]!;
    const target = current.get(exit.name)!;
    const ep = enter.types.map((t, i) => valueFor(t, 10 + i));
    const { view, length } = convert([libsEvent(enter.code, 9, 1n, ep), libsEvent(exit.code, 9, 2n, [valueFor(exit.types[0], 0)])], true);
    view.moveTo(0, length);
    // an enter Vigil reads itself is handed on too; the exit is last
    let off = 0;
    while (off + view.len < length) off += view.len, view.moveTo(off, length);
    assert.equal(view.type, target.code, enter.symbol);
    enter.params.forEach((name, i) => {
      const j = target.paramIndex.get(name === 'fd' && !target.paramIndex.has('fd') ? 'oldfd' : name);
      if (j === undefined || j === 0) return;
      const want = paramBytes(enter.code, ep, i);
      assert.deepEqual(Buffer.from(view.raw(j)), want, `${enter.symbol}.${name} -> ${exit.symbol}`);
      checked++;
    });
  }
  assert.ok(checked >= 20, `${checked} parameters carried from enters`);
});
