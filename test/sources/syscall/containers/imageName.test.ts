import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shortImageId, splitImage } from '../../../../src/sources/syscall/containers/imageName';

test('image references split into repository, tag and digest', () => {
  assert.deepEqual(splitImage('nginx'), { repository: 'nginx', tag: undefined, digest: undefined });
  assert.deepEqual(splitImage('docker.io/library/nginx:1.25'), { repository: 'docker.io/library/nginx', tag: '1.25', digest: undefined });
  assert.deepEqual(splitImage('localhost:5000/team/app'), { repository: 'localhost:5000/team/app', tag: undefined, digest: undefined }, 'a registry port is no tag');
  assert.deepEqual(splitImage('localhost:5000/app:2@sha256:ab12'), { repository: 'localhost:5000/app', tag: '2', digest: 'sha256:ab12' });
  assert.deepEqual(splitImage('app@sha256:ab12'), { repository: 'app', tag: undefined, digest: 'sha256:ab12' });
  assert.equal(shortImageId('sha256:6f7e2741b66b0123'), '6f7e2741b66b');
  assert.equal(shortImageId('8fe99a5aa169c032324c'), '8fe99a5aa169');
  assert.equal(shortImageId(''), undefined);
});
