// Generic JSON fields: Falco's original `jevt.*` names and the json plugin's
// `json.*` names (the same values; the json plugin's are current, jevt.* are
// what most k8s audit rules still use).
import type { FieldDef } from '../../../engine/source';
import { formatClockNs, formatIsoNs } from '../auditTime';
import type { K8sAuditEvent } from '../event';
import { compileJsonPointer, parseJsonPointer } from '../jsonPointer';
import { asText } from '../jsonText';
import { keyedField, plainField } from './fieldKinds';

type E = K8sAuditEvent;

const POINTER_DESC = 'JSON pointer, e.g. /user/username';

function valueField(name: string, desc: string, hidden: boolean): FieldDef<E> {
  return keyedField(
    name,
    desc,
    POINTER_DESC,
    (pointer) => {
      const resolve = compileJsonPointer(parseJsonPointer(pointer));
      return (e) => asText(resolve(e.obj));
    },
    { hidden },
  );
}

const rawtime = (e: E) => e.time;
const obj = (e: E) => e.objJson;

export const jsonFields: FieldDef<E>[] = [
  plainField('jevt.time', 'The event time as HH:MM:SS.nnnnnnnnn (UTC), with nanoseconds', (e) => formatClockNs(e.time)),
  plainField('jevt.time.iso8601', 'The event time in ISO 8601 (UTC), with nanoseconds', (e) => formatIsoNs(e.time)),
  plainField('jevt.rawtime', 'The event time in nanoseconds since the epoch (stageTimestamp, else requestReceivedTimestamp, else arrival)', rawtime, { type: 'abstime' }),
  valueField('jevt.value', 'The value at a JSON pointer (RFC 6901) in the event, as text: strings as they are, anything else as JSON', false),
  plainField('jevt.obj', 'The whole event as JSON text', obj),
  valueField('json.value', 'Same as jevt.value (the json plugin name)', false),
  plainField('json.obj', 'Same as jevt.obj (the json plugin name)', obj),
  plainField('json.rawtime', 'Same as jevt.rawtime (the json plugin name)', rawtime, { type: 'abstime' }),
];
