// Unary gRPC calls on a unix socket with messages from a .proto loaded by
// protobufjs: no generated code, one client per socket, a deadline per call.
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { EngineError, socketFailure } from './engine';

/** src/.../containers/proto, or its copy in dist/ (scripts/setup.sh) */
const PROTO_DIR = path.join(__dirname, '..', 'proto');

const roots = new Map<string, protobuf.Root>();

/** A .proto of proto/ (loaded once), field names as written (snake_case). */
export function protoRoot(file: string): protobuf.Root {
  let root = roots.get(file);
  if (!root) {
    root = new protobuf.Root();
    root.loadSync(path.join(PROTO_DIR, file), { keepCase: true });
    root.resolveAll();
    roots.set(file, root);
  }
  return root;
}

/** One method: its path and message types. */
export interface Method {
  readonly path: string;
  readonly request: protobuf.Type;
  readonly response: protobuf.Type;
}

export function method(root: protobuf.Root, service: string, name: string): Method {
  const m = root.lookupService(service).methods[name];
  if (!m) throw new Error(`${service} has no method ${name}`);
  return { path: `/${service}/${name}`, request: root.lookupType(m.requestType), response: root.lookupType(m.responseType) };
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: Number, bytes: Buffer, defaults: true };

export class UnixGrpcClient {
  private readonly client: grpc.Client;

  constructor(readonly socket: string) {
    this.client = new grpc.Client(`unix:${socket}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      // a runtime that is down is asked again on the next lookup, not retried in a loop here
      'grpc.enable_retries': 0,
    });
  }

  /** The answer as a plain object, or undefined when the runtime says NOT_FOUND. */
  call(m: Method, request: Record<string, unknown>, deadline: number, headers?: Record<string, string>): Promise<Record<string, any> | undefined> {
    const metadata = new grpc.Metadata();
    for (const [k, v] of Object.entries(headers ?? {})) metadata.set(k, v);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        (v: Record<string, unknown>) => Buffer.from(m.request.encode(m.request.fromObject(v)).finish()),
        (b: Buffer) => m.response.toObject(m.response.decode(b), TO_OBJECT),
        request,
        metadata,
        { deadline },
        (err, value) => {
          if (!err) return resolve(value);
          if (err.code === grpc.status.NOT_FOUND) return resolve(undefined);
          if (err.code === grpc.status.UNAVAILABLE) return reject(socketFailure(this.socket, Object.assign(new Error(err.details), { code: /ENOENT|No such file|ECONNREFUSED|Connection refused/i.test(err.details) ? 'ENOENT' : undefined })));
          if (err.code === grpc.status.DEADLINE_EXCEEDED) return reject(new EngineError(`${this.socket}: ${m.path}: no answer before the deadline`));
          reject(new EngineError(`${this.socket}: ${m.path}: ${grpc.status[err.code] ?? err.code} ${err.details}`));
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
