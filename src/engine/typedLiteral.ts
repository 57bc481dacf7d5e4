// Converts a literal as written to the type of the field it is compared with,
// once at compile time. A literal that does not fit is a ConditionError at
// the literal.
import type { Pos } from './ast';
import { ConditionError } from './errors';
import type { FieldType, Scalar } from './source';
import { parseCidr, parseIPv4, parseIPv6 } from './ipnet';
import { servicePort } from './serviceNames';

/** A value item after list expansion: its text and where it was written. */
export interface ValueItem {
  value: string;
  pos: Pos;
}

const INT_RE = /^[+-]?\d+$/;
const HEX_RE = /^0[xX][0-9a-fA-F]+$/;

function parseInteger(item: ValueItem, field: string, type: FieldType): bigint {
  const t = item.value.trim();
  if (INT_RE.test(t)) return BigInt(t);
  // the condition grammar has hex numbers, but libs converts a value for a number field in decimal only and refuses 0x...
  if (HEX_RE.test(t)) {
    throw new ConditionError(`field '${field}' is ${type}: numbers are decimal, as in Falco, which refuses '${item.value}' (write ${BigInt(t)})`, item.pos);
  }
  throw new ConditionError(`field '${field}' is ${type}: expected an integer, got '${item.value}'`, item.pos);
}

/** The literal as a value of `type` (ipaddr/ipnet stay text, checked here). */
export function typedLiteral(item: ValueItem, type: FieldType, field: string): Scalar {
  switch (type) {
    case 'string':
      return item.value;
    case 'int': {
      const n = parseInteger(item, field, type);
      if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new ConditionError(`field '${field}' is int: '${item.value}' is out of range`, item.pos);
      }
      return Number(n);
    }
    case 'port': {
      // as libs: a port that is not all digits is a service name
      if (!/^\d+$/.test(item.value)) {
        const port = servicePort(item.value);
        if (port === undefined) throw new ConditionError(`field '${field}' is a port: '${item.value}' is neither a number nor a service named in /etc/services`, item.pos);
        return port;
      }
      const n = parseInteger(item, field, type);
      if (n < 0n || n > 65535n) throw new ConditionError(`field '${field}' is a port: '${item.value}' is not in 0-65535`, item.pos);
      return Number(n);
    }
    case 'abstime':
    case 'reltime':
      return parseInteger(item, field, type);
    case 'bool':
      if (item.value === 'true') return true;
      if (item.value === 'false') return false;
      throw new ConditionError(`field '${field}' is bool: expected true or false, got '${item.value}'`, item.pos);
    case 'ipaddr':
    case 'ipnet':
      if (parseIPv4(item.value) < 0 && !parseIPv6(item.value) && !parseCidr(item.value)) {
        throw new ConditionError(`field '${field}' is ${type}: '${item.value}' is not an IP address or CIDR network`, item.pos);
      }
      return item.value;
    case 'bytes':
      return new Uint8Array(Buffer.from(item.value, 'utf8'));
  }
}

/** `bcontains`/`bstartswith` operands: an even-length hex string such as `0a0b`. */
export function hexLiteral(item: ValueItem, op: string): Uint8Array {
  const t = item.value;
  if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) {
    throw new ConditionError(`'${op}' expects an even-length hex string such as '0a0b', got '${t}'`, item.pos);
  }
  return new Uint8Array(Buffer.from(t, 'hex'));
}
