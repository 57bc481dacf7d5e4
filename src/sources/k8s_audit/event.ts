// One audit event as the rules see it: the parsed JSON plus things several
// fields need, computed the first time one asks (the pod spec, the time, the
// query parameters, the serialized object) and kept for the other fields.
import { parseRfc3339Ns } from './auditTime';
import { asText } from './jsonText';
import { findPodSpec } from './podSpec';

type Obj = Record<string, unknown>;

export class K8sAuditEvent {
  /** the audit Event object, as parsed */
  readonly obj: Obj;
  private readonly arrivalNs: bigint | undefined;
  private readonly arrivalMs: number;
  private timeNs: bigint | undefined = undefined;
  // undefined: not computed yet; null: computed, there is none
  private pod: Obj | null | undefined = undefined;
  private query: URLSearchParams | null | undefined = undefined;
  private json: string | undefined = undefined;
  // objectRef.resource: nearly every rule tests it first, so it is read once per event
  private resourceText: string | null | undefined = undefined;
  // requestObject.data as text: a rule tests it with several `contains`
  private dataText: string | null | undefined = undefined;

  constructor(obj: Obj, arrivalNs?: bigint) {
    this.obj = obj;
    this.arrivalNs = arrivalNs;
    // Date.now() is cheap; the bigint is only built if the event has no timestamp
    this.arrivalMs = arrivalNs === undefined ? Date.now() : 0;
  }

  /** stageTimestamp, else requestReceivedTimestamp, else the time of arrival (ns since the epoch) */
  get time(): bigint {
    if (this.timeNs === undefined) {
      const o = this.obj;
      const t =
        (typeof o.stageTimestamp === 'string' ? parseRfc3339Ns(o.stageTimestamp) : undefined) ??
        (typeof o.requestReceivedTimestamp === 'string' ? parseRfc3339Ns(o.requestReceivedTimestamp) : undefined);
      this.timeNs = t ?? this.arrivalNs ?? BigInt(this.arrivalMs) * 1_000_000n;
    }
    return this.timeNs;
  }

  /** objectRef.resource as text */
  get resource(): string | undefined {
    let r = this.resourceText;
    if (r === undefined) {
      const ref = this.obj.objectRef;
      const v = ref !== null && typeof ref === 'object' ? (ref as Obj).resource : undefined;
      r = this.resourceText = typeof v === 'string' ? v : (asText(v) ?? null);
    }
    return r ?? undefined;
  }

  /** requestObject.data (a configmap's data) as text: JSON unless it is a string */
  get requestDataText(): string | undefined {
    let d = this.dataText;
    if (d === undefined) {
      const req = this.obj.requestObject;
      d = this.dataText = asText(req !== null && typeof req === 'object' ? (req as Obj).data : undefined) ?? null;
    }
    return d ?? undefined;
  }

  /** the pod spec found in the request object (Pod, workload template, CronJob job template) */
  get podSpec(): Obj | undefined {
    if (this.pod === undefined) {
      const ref = this.obj.objectRef as Obj | undefined;
      this.pod = findPodSpec(this.obj.requestObject, ref && typeof ref === 'object' ? ref.resource : undefined) ?? null;
    }
    return this.pod ?? undefined;
  }

  /** the query parameters of requestURI */
  get queryParams(): URLSearchParams | undefined {
    if (this.query === undefined) {
      const uri = this.obj.requestURI;
      const q = typeof uri === 'string' ? uri.indexOf('?') : -1;
      this.query = q < 0 ? null : new URLSearchParams((uri as string).slice(q + 1));
    }
    return this.query ?? undefined;
  }

  /** the whole event as JSON text */
  get objJson(): string {
    if (this.json === undefined) this.json = JSON.stringify(this.obj);
    return this.json;
  }
}

/** Wraps a parsed audit Event; `arrivalNs` is the time used when it carries no timestamp. */
export function toAuditEvent(obj: Record<string, unknown>, arrivalNs?: bigint): K8sAuditEvent {
  return new K8sAuditEvent(obj, arrivalNs);
}
