// The `container` and `container_removed` events, made when a runtime
// describes a container or its init exits, in the probe's wire layout so
// that rules see them like any other event (evt.type, container.* fields).
// Rare (once per container), so each is a small buffer of its own.
import { HEADER_LEN } from '../decode';
import type { ContainerInfo } from './containerInfo';

const CONTAINER_CODE = 324;
const REMOVED_CODE = 402;

/** the container as JSON, in the shape of libs' container event */
function containerJson(c: ContainerInfo): string {
  return JSON.stringify({
    container: {
      id: c.id,
      full_id: c.fullId,
      type: c.type,
      name: c.name ?? null,
      image: c.image ?? null,
      imagerepo: c.imageRepository ?? null,
      imagetag: c.imageTag ?? null,
      imagedigest: c.imageDigest ?? null,
      imageid: c.imageId ?? null,
      privileged: c.privileged ?? null,
      labels: Object.fromEntries(c.labels),
      ip: c.ip ?? null,
    },
  });
}

function eventBytes(code: number, ts: bigint, params: Buffer[]): ArrayBuffer {
  const len = HEADER_LEN + 2 * params.length + params.reduce((n, p) => n + p.length, 0);
  const b = Buffer.alloc(len);
  b.writeBigUInt64LE(ts, 0);
  // no thread: libs gives container events tid -1
  b.writeBigInt64LE(-1n, 8);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(code, 20);
  b.writeUInt32LE(params.length, 22);
  let at = HEADER_LEN;
  for (const p of params) {
    b.writeUInt16LE(p.length, at);
    at += 2;
  }
  for (const p of params) {
    p.copy(b, at);
    at += p.length;
  }
  return b.buffer.slice(b.byteOffset, b.byteOffset + len);
}

function cstr(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf8');
}

export function metaEvent(kind: 'container' | 'container_removed', c: ContainerInfo, ts: bigint): ArrayBuffer {
  const json = containerJson(c);
  if (kind === 'container') return eventBytes(CONTAINER_CODE, ts, [cstr(json)]);
  const pluginId = Buffer.alloc(4);
  return eventBytes(REMOVED_CODE, ts, [pluginId, cstr('container_removed'), Buffer.from(json, 'utf8')]);
}
