// Shared by the live capture tests: whether this machine can run them, and a
// plain-object copy of decoded events for assertions.
import fs from 'node:fs';
import { EventView } from '../../../src/sources/syscall/decode';

/** why live capture cannot run here, or undefined when it can */
export function liveSkipReason(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.arch !== 'x64') return `the probe is x86_64 only (this is ${process.arch})`;
  if (!process.geteuid || process.geteuid() !== 0) return 'not root: loading the eBPF probe needs root';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  return undefined;
}

export interface Rec {
  name: string;
  /** '>' enter, '<' exit */
  dir: string;
  type: number;
  tid: number;
  nparams: number;
  p: Record<string, unknown>;
}

/** copy the current event into a plain object (tests only: allocates) */
export function record(v: EventView): Rec {
  const p: Record<string, unknown> = {};
  const info = v.info;
  for (let i = 0; i < v.nparams; i++) {
    const pi = info?.params[i];
    if (!pi) continue;
    switch (pi.type) {
      case 'CHARBUF':
      case 'FSPATH':
      case 'FSRELPATH':
        p[pi.name] = v.str(i);
        break;
      case 'BYTEBUF':
        p[pi.name] = v.strList(i);
        break;
      case 'SOCKTUPLE':
        p[pi.name] = v.tuple(i);
        break;
      case 'SOCKADDR':
        p[pi.name] = v.sockaddr(i);
        break;
      default:
        p[pi.name] = v.int(i);
    }
  }
  return { name: v.name, dir: info?.dir ?? '?', type: v.type, tid: v.tid, nparams: v.nparams, p };
}
