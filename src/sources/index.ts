// The sources built into Vigil, in the order `--list` shows them.
import type { Source } from '../engine/source';
import { k8sAuditSource } from './k8s_audit';
import { syscallSource } from './syscall';

export function builtinSources(): Source<any>[] {
  return [syscallSource, k8sAuditSource];
}
