// What every runtime client gives the container store: one question (describe
// this container) asked over one socket, answered within a deadline.
import type { ContainerRef, RuntimeHint } from '../../state/containerId';
import type { ContainerFacts } from '../containerInfo';

export interface ContainerEngine {
  /** `docker`, `podman`, `containerd`, `cri`: the container_engines key it was configured under */
  readonly kind: string;
  readonly socket: string;
  /** the cgroup layouts whose containers this runtime may know */
  readonly hints: readonly RuntimeHint[];
  /**
   * The container's facts, or undefined when this runtime does not know it.
   * Rejects with an EngineError when the socket is absent, slow or answers garbage.
   */
  inspect(ref: ContainerRef, deadline: number): Promise<ContainerFacts | undefined>;
  close(): void;
}

/** A runtime socket that could not answer; `absent` when nothing listens there (no such file, refused). */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly absent = false,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** How a connection failure reads to the user, and whether it only means that runtime is not installed. */
export function socketFailure(socket: string, err: unknown): EngineError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const absent = code === 'ENOENT' || code === 'ECONNREFUSED';
  return new EngineError(`${socket}: ${(err as Error)?.message ?? String(err)}`, absent);
}

/** ns since the epoch from an RFC 3339 time (docker and podman's StartedAt); undefined for Go's zero time */
export function rfc3339Ns(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || text === '' || text.startsWith('0001-')) return undefined;
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) return undefined;
  const frac = (m[2] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}
