import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument, isMap, isScalar, type Scalar } from 'yaml';
import { MappedText, RulesFile, scalarOffset } from '../../../src/engine/rules/sourceText';
import { scalarTextOf } from '../../../src/engine/rules/yamlReader';

function scalarOf(content: string, key: string) {
  const file = new RulesFile('f.yaml', content);
  const doc = parseDocument(content, { schema: 'failsafe' });
  assert.ok(isMap(doc.contents));
  const node = doc.contents.get(key, true);
  assert.ok(isScalar(node));
  return { file, scalar: scalarTextOf(file, node as Scalar) };
}

/** line:col of the character at `index` of the scalar's value */
function at(content: string, key: string, index: number): string {
  const { file, scalar } = scalarOf(content, key);
  const loc = file.location(scalarOffset(scalar, index));
  return `${loc.line}:${loc.col}`;
}

test('plain scalar: offsets map one to one', () => {
  const y = 'c: evt.type = open and proc.name = x\n';
  assert.equal(at(y, 'c', 0), '1:4');
  assert.equal(at(y, 'c', 23), '1:27'); // "proc.name"
});

test('double-quoted scalar with escapes maps past the quote and the backslashes', () => {
  const y = 'c: "a = \\"q\\" and b = 1"\n';
  const { scalar } = scalarOf(y, 'c');
  assert.equal(scalar.value, 'a = "q" and b = 1');
  const iB = scalar.value.indexOf('b');
  assert.equal(at(y, 'c', 0), '1:5');
  assert.equal(at(y, 'c', iB), `1:${y.indexOf('b = 1') + 1}`);
});

test('single-quoted scalar with a doubled quote', () => {
  const y = "c: 'x = ''y'' and z = 2'\n";
  const { scalar } = scalarOf(y, 'c');
  assert.equal(scalar.value, "x = 'y' and z = 2");
  assert.equal(at(y, 'c', scalar.value.indexOf('z')), `1:${y.indexOf('z = 2') + 1}`);
});

test('folded block scalar: lines fold into spaces but positions stay on their lines', () => {
  const y = ['c: >', '  evt.type = open', '    and proc.name = x', '  and fd.name = y', ''].join('\n');
  const { scalar } = scalarOf(y, 'c');
  assert.ok(scalar.value.includes('fd.name'));
  assert.equal(at(y, 'c', 0), '2:3');
  assert.equal(at(y, 'c', scalar.value.indexOf('proc.name')), '3:9');
  assert.equal(at(y, 'c', scalar.value.indexOf('fd.name')), '4:7');
});

test('literal block scalar with a header keeps lines', () => {
  const y = ['c: |-', '  a = 1', '  or b = 2', ''].join('\n');
  const { scalar } = scalarOf(y, 'c');
  assert.equal(at(y, 'c', scalar.value.indexOf('b')), '3:6');
});

test('an index on whitespace or at the end maps to the next token or just past the last', () => {
  const y = 'c: "a  b"\n';
  assert.equal(at(y, 'c', 1), '1:8'); // the blank before b -> b
  assert.equal(at(y, 'c', 4), '1:9'); // end of text -> after b
});

test('MappedText joins scalars from several files and maps each part back', () => {
  const a = scalarOf('c: evt.type = open\n', 'c');
  const b = scalarOf('x: 1\nc: >\n  and proc.name = z\n', 'c');
  const m = MappedText.of(a.scalar);
  m.append(' ', b.scalar);
  assert.equal(m.text, 'evt.type = open and proc.name = z\n');
  const w = m.locate(m.text.indexOf('proc.name'));
  assert.equal(w.file, b.file);
  assert.deepEqual(w.file.location(w.offset), { file: 'f.yaml', line: 3, col: 7 });
  const first = m.locate(4);
  assert.equal(first.file, a.file);
  assert.equal(first.offset, 7);
});

test('MappedText trims outputs but keeps positions, and virtual offsets map to their places', () => {
  const a = scalarOf('o: >\n  alert %proc.name\n', 'o');
  const m = MappedText.of(a.scalar, true);
  assert.equal(m.text, 'alert %proc.name');
  assert.equal(a.file.location(m.locate(6).offset).col, 9);
  const v = m.virtualOffset({ file: a.file, offset: 3 });
  assert.ok(v > m.text.length);
  assert.equal(m.locate(v).offset, 3);
  const e = m.error(6, 'bad', "rule 'r'");
  assert.equal(e.format(), "f.yaml:2:9: rule 'r': bad\n      alert %proc.name\n            ^");
});
