// The sources built into Vigil, in the order `--list` shows them.
import type { Source } from '../engine/source';
import { k8sAuditSource } from './k8s_audit';

export function builtinSources(): Source<any>[] {
  return [k8sAuditSource];
}
