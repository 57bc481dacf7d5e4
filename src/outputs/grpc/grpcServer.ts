// The gRPC server of Falco's outputs and version APIs (@grpc/grpc-js): on a
// unix socket without authentication, or on TCP with mutual TLS only, as
// Falco served it. A server that cannot start is logged and the agent goes on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ConfigError } from '../../config';
import { type GrpcServerConfig, isUnix } from './grpcServerConfig';
import type { GrpcChannel } from './grpcChannel';
import { grpcTypes } from './grpcProtos';

export interface Versions {
  version: string;
  engineVersion: string;
  engineFieldsChecksum: string;
}

interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string;
  build: string;
}

export function semver(v: string): SemVer {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(v);
  if (!m) return { major: 0, minor: 0, patch: 0, prerelease: '', build: '' };
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? '', build: m[5] ?? '' };
}

function readPem(key: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new ConfigError(`grpc.${key}: cannot read ${file}: ${(e as Error).message}`);
  }
}

export interface GrpcServer {
  /** where it listens: the unix socket path, or host:port with the bound port */
  address: string;
  close(): Promise<void>;
}

/** Starts the server; the outputs service serves `channel` (no channel: grpc_output is off, nothing is ever queued). */
export async function startGrpcServer(cfg: GrpcServerConfig, channel: GrpcChannel | undefined, versions: Versions): Promise<GrpcServer> {
  const types = grpcTypes();
  const decodeEmpty = (b: Buffer): unknown => types.outputsRequest.decode(b);
  // the channel encodes each alert once (encodeResponse) and the streams carry the bytes
  const encoded = (b: Buffer): Buffer => b;
  const outputsService: grpc.ServiceDefinition = {
    sub: {
      path: '/falco.outputs.service/sub',
      requestStream: true,
      responseStream: true,
      requestSerialize: (r: unknown) => Buffer.from(types.outputsRequest.encode(r as never).finish()),
      requestDeserialize: decodeEmpty,
      responseSerialize: encoded,
      responseDeserialize: (b: Buffer) => types.outputsResponse.decode(b),
    },
    get: {
      path: '/falco.outputs.service/get',
      requestStream: false,
      responseStream: true,
      requestSerialize: (r: unknown) => Buffer.from(types.outputsRequest.encode(r as never).finish()),
      requestDeserialize: decodeEmpty,
      responseSerialize: encoded,
      responseDeserialize: (b: Buffer) => types.outputsResponse.decode(b),
    },
  };
  const versionService: grpc.ServiceDefinition = {
    version: {
      path: '/falco.version.service/version',
      requestStream: false,
      responseStream: false,
      requestSerialize: (r: unknown) => Buffer.from(types.versionRequest.encode(r as never).finish()),
      requestDeserialize: (b: Buffer) => types.versionRequest.decode(b),
      responseSerialize: (r: unknown) => Buffer.from(types.versionResponse.encode(r as never).finish()),
      responseDeserialize: (b: Buffer) => types.versionResponse.decode(b),
    },
  };
  const v = semver(versions.version);
  const e = semver(versions.engineVersion);
  const versionAnswer = {
    version: versions.version,
    major: v.major,
    minor: v.minor,
    patch: v.patch,
    prerelease: v.prerelease,
    build: v.build,
    engine_major: e.major,
    engine_minor: e.minor,
    engine_patch: e.patch,
    engine_version: versions.engineVersion,
    engine_fields_checksum: versions.engineFieldsChecksum,
  };

  const server = new grpc.Server();
  server.addService(outputsService, {
    sub: (call: grpc.ServerDuplexStream<unknown, Buffer>) => {
      if (channel) channel.serveSub(call);
      else call.on('data', () => undefined).on('end', () => call.end());
    },
    get: (call: grpc.ServerWritableStream<unknown, Buffer>) => {
      if (channel) channel.serveGet(call);
      else call.end();
    },
  });
  server.addService(versionService, {
    version: (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(null, versionAnswer),
  });

  let creds: grpc.ServerCredentials;
  let address = cfg.bindAddress;
  if (isUnix(cfg.bindAddress)) {
    const file = cfg.bindAddress.replace(/^unix:(\/\/)?/, '');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // a socket left by a previous run that did not stop cleanly
    try {
      if (fs.statSync(file).isSocket()) fs.unlinkSync(file);
    } catch {
      // absent: nothing to clear
    }
    creds = grpc.ServerCredentials.createInsecure();
  } else {
    creds = grpc.ServerCredentials.createSsl(
      readPem('root_certs', cfg.rootCerts),
      [{ private_key: readPem('private_key', cfg.privateKey), cert_chain: readPem('cert_chain', cfg.certChain) }],
      true,
    );
  }
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(cfg.bindAddress, creds, (err, p) => (err ? reject(err) : resolve(p))));
  if (!isUnix(cfg.bindAddress)) address = cfg.bindAddress.replace(/:\d+$/, `:${port}`);
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        // streams were ended by the channel; clients that hang on are cut after a second
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 1000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
