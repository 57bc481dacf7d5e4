// Container metadata for the syscall source: the store the tracker feeds and
// the fields read, built from the `container_engines` configuration.
import type { ConfigTree } from '../../../config';
import { ContainerStore, type StoreOptions } from './containerStore';
import { makeEngine, readEnginesConfig } from './engineConfig';

export { ContainerStore } from './containerStore';
export { ContainerInfo } from './containerInfo';
export { metaEvent } from './metaEvents';

/** A store asking the configured runtimes; throws a ConfigError for a bad `container_engines`. */
/** `hostRoot`: HOST_ROOT, where the host's root is mounted when Vigil runs in a container (the default sockets are under it) */
export function containerStoreFromConfig(config: ConfigTree, log: (msg: string) => void, onChange?: StoreOptions['onChange'], hostRoot?: string): ContainerStore {
  const { engines, pacing } = readEnginesConfig(config, hostRoot);
  const made = [];
  for (const e of engines) {
    try {
      made.push(makeEngine(e.kind, e.socket));
    } catch (err) {
      // a client that cannot be built (its .proto missing) costs that runtime's metadata, not the capture
      log(`containers: warning: no ${e.kind} client for ${e.socket}: ${(err as Error).message}`);
    }
  }
  return new ContainerStore({ ...pacing, engines: made, log, onChange });
}
