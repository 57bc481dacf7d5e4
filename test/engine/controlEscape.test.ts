import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeControls } from '../../src/engine/controlEscape';

test('newlines, carriage returns and tabs are written as their escapes', () => {
  assert.equal(escapeControls('x\n12:00:00.000000000: Critical Fake alert'), 'x\\n12:00:00.000000000: Critical Fake alert');
  assert.equal(escapeControls('a\r\nb\tc'), 'a\\r\\nb\\tc');
});

test('other C0 and C1 controls, DEL and the Unicode line separators are hex escapes; printable text is untouched', () => {
  assert.equal(escapeControls('\x00\x1b[2K\x7f\x85\x9f'), '\\x00\\x1b[2K\\x7f\\x85\\x9f');
  assert.equal(escapeControls('a\u2028b\u2029c'), 'a\\u2028b\\u2029c');
  const printable = 'é日本 ~!@#$%^&*()\\ü\u00a0';
  assert.equal(escapeControls(printable), printable);
});

test('no escaped value holds a character that can break or rewrite a line', () => {
  let all = '';
  for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c);
  assert.doesNotMatch(escapeControls(all), /[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
});
