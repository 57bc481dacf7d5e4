// A gRPC client generated at run time from Falco's own .proto files
// (test/fixtures/upstream/falco-grpc, unmodified) with @grpc/proto-loader, the
// way a Node.js user of Falco's API builds one.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const FALCO_PROTOS = path.resolve(__dirname, '../../fixtures/upstream/falco-grpc');

export interface FalcoResponse {
  time: { seconds: string; nanos: number };
  priority: string;
  source_deprecated: string;
  rule: string;
  output: string;
  output_fields: Record<string, string>;
  hostname: string;
  tags: string[];
  source: string;
}

export interface FalcoClients {
  outputs: grpc.Client & {
    sub(): grpc.ClientDuplexStream<object, FalcoResponse>;
    get(req: object): grpc.ClientReadableStream<FalcoResponse>;
  };
  version: grpc.Client & { version(req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void): void };
  close(): void;
}

export function falcoClients(target: string, creds = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}): FalcoClients {
  const opts: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [FALCO_PROTOS] };
  const outputsPkg = grpc.loadPackageDefinition(protoLoader.loadSync('outputs.proto', opts)) as any;
  const versionPkg = grpc.loadPackageDefinition(protoLoader.loadSync('version.proto', opts)) as any;
  const outputs = new outputsPkg.falco.outputs.service(target, creds, options);
  const version = new versionPkg.falco.version.service(target, creds);
  return {
    outputs,
    version,
    close() {
      outputs.close();
      version.close();
    },
  };
}

/** reads `n` responses from a stream, or fails after `ms` */
export function take<T>(stream: grpc.ClientReadableStream<T> | grpc.ClientDuplexStream<object, T>, n: number, ms = 10000): Promise<T[]> {
  const got: T[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${n} responses in ${ms} ms`)), ms);
    const onData = (r: T): void => {
      got.push(r);
      if (got.length === n) {
        clearTimeout(timer);
        stream.off('data', onData);
        resolve(got);
      }
    };
    stream.on('data', onData);
    stream.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
