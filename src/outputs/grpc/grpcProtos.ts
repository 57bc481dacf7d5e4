// The message types of the gRPC API, from Vigil's .proto files in proto/
// (Falco's packages, names and field numbers), loaded once by protobufjs.
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { PROJECT_ROOT } from '../../config';

export const PROTO_DIR = path.join(PROJECT_ROOT, 'proto');

export interface GrpcTypes {
  outputsRequest: protobuf.Type;
  outputsResponse: protobuf.Type;
  versionRequest: protobuf.Type;
  versionResponse: protobuf.Type;
}

let loaded: GrpcTypes | undefined;

export function grpcTypes(): GrpcTypes {
  if (loaded) return loaded;
  const root = new protobuf.Root();
  // imports are named relative to proto/; google/protobuf/* come with protobufjs
  root.resolvePath = (_origin, target) => (target.startsWith('google/protobuf/') || path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
  root.loadSync([path.join(PROTO_DIR, 'outputs.proto'), path.join(PROTO_DIR, 'version.proto')], { keepCase: true });
  root.resolveAll();
  loaded = {
    outputsRequest: root.lookupType('falco.outputs.request'),
    outputsResponse: root.lookupType('falco.outputs.response'),
    versionRequest: root.lookupType('falco.version.request'),
    versionResponse: root.lookupType('falco.version.response'),
  };
  return loaded;
}
