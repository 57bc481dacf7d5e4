import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePathGlob } from '../../../src/sources/k8s_audit/pathGlob';

test('* ? and classes, anchored', () => {
  assert.ok(compilePathGlob('/proc*').test('/proc'));
  assert.ok(compilePathGlob('/proc*').test('/proc/1/root'));
  assert.ok(!compilePathGlob('/proc').test('/proc/1'));
  assert.ok(compilePathGlob('/var/run/*.sock').test('/var/run/docker.sock'));
  assert.ok(!compilePathGlob('/var/run/*.sock').test('/var/run/docker.socket'));
  assert.ok(compilePathGlob('/dev/sd?').test('/dev/sda'));
  assert.ok(compilePathGlob('/dev/[st]d[!b]').test('/dev/tda'));
  assert.ok(!compilePathGlob('/dev/[st]d[!b]').test('/dev/sdb'));
  assert.ok(compilePathGlob('/a.b+(c)').test('/a.b+(c)'));
  assert.ok(!compilePathGlob('/a.b').test('/axb'));
});

test('unterminated class is an error', () => {
  assert.throws(() => compilePathGlob('/dev/[sd'), /unterminated '\['/);
});
