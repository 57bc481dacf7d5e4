// The real audit worker (src/server/auditWorker.ts), except that the field
// ka.verb throws on an event whose verb is FAIL_VERB, as a field with a bug
// would: for the test of how workers report rule errors.
import { parentPort } from 'node:worker_threads';
import type { FieldDef } from '../../src/engine/source';
import type { K8sAuditEvent } from '../../src/sources/k8s_audit';

export const FAIL_VERB = 'explode';

// imported on the main thread for FAIL_VERB alone
if (parentPort) {
  const { k8sAuditSource } = require('../../src/sources/k8s_audit') as typeof import('../../src/sources/k8s_audit');
  const def = k8sAuditSource.fields.find((f) => f.name === 'ka.verb') as FieldDef<K8sAuditEvent>;
  const bind = def.bind.bind(def);
  def.bind = (arg) => {
    const extract = bind(arg);
    return (e) => {
      const v = extract(e);
      if (v === FAIL_VERB) throw new Error('ka.verb failed as the test asked');
      return v;
    };
  };
  require('../../src/server/auditWorker');
}
