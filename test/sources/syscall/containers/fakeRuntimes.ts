// Runtime sockets for tests: a Docker-style HTTP API on a unix socket that
// answers, hangs, closes mid-answer or sends garbage, and a CRI gRPC server
// built from the same api.proto the agent loads.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { protoRoot } from '../../../../src/sources/syscall/containers/engines/grpcUnix';

export function tempSocket(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-rt-'));
  return path.join(dir, `${name}.sock`);
}

export type Behaviour = 'answer' | 'hang' | 'close' | 'garbage';

/** A Docker/Podman-like API: inspect answers come from `containers` (by full id), or misbehave. */
export async function httpRuntime(behaviour: Behaviour, containers: Record<string, unknown> = {}): Promise<{ socket: string; requests: string[]; close(): Promise<void> }> {
  const socket = tempSocket(behaviour);
  const requests: string[] = [];
  const open = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (behaviour === 'hang') return;
    if (behaviour === 'close') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
      res.write('{"Id": "abc');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (behaviour === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('\u0000\u00ffthis is not json{{{');
      return;
    }
    const id = /containers\/([0-9a-f]+)\/json/.exec(req.url ?? '')?.[1] ?? '';
    const doc = containers[id];
    if (doc === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"message":"no such container"}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A unix socket that accepts and writes bytes no protocol expects. */
export async function garbageSocket(): Promise<{ socket: string; close(): Promise<void> }> {
  const socket = tempSocket('junk');
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => {
    open.add(s);
    s.on('error', () => {});
    s.on('close', () => open.delete(s));
    s.end(Buffer.from('HTTP/1.1 999 junk\r\n\r\n\x00\x01\x02 garbage garbage'));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    close: async () => {
      server.close();
      for (const s of open) s.destroy();
    },
  };
}

export interface CriFixture {
  containers: Record<string, { status: Record<string, unknown>; info?: Record<string, string> }>;
  sandboxes: Record<string, { status: Record<string, unknown>; info?: Record<string, string> }>;
  /** never answer (the client's deadline must end the call) */
  hang?: boolean;
}

/** A CRI RuntimeService answering ContainerStatus and PodSandboxStatus from a fixture. */
export async function criRuntime(fx: CriFixture): Promise<{ socket: string; calls: string[]; close(): void }> {
  const socket = tempSocket('cri');
  const root = protoRoot('cri-api.proto');
  const svc = root.lookupService('runtime.v1.RuntimeService');
  const calls: string[] = [];
  const definition: Record<string, grpc.MethodDefinition<any, any>> = {};
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const name of ['ContainerStatus', 'PodSandboxStatus']) {
    const m = svc.methods[name];
    const req = root.lookupType(m.requestType);
    const res = root.lookupType(m.responseType);
    definition[name] = {
      path: `/runtime.v1.RuntimeService/${name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: any) => Buffer.from(req.encode(req.fromObject(v)).finish()),
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b)),
      responseSerialize: (v: any) => Buffer.from(res.encode(res.fromObject(v)).finish()),
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b)),
    };
    handlers[name] = (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => {
      calls.push(name);
      if (fx.hang) return;
      const id = name === 'ContainerStatus' ? call.request.container_id : call.request.pod_sandbox_id;
      const found = name === 'ContainerStatus' ? fx.containers[id] : fx.sandboxes[id];
      if (!found) return cb({ code: grpc.status.NOT_FOUND, details: `${id} not found` } as grpc.ServiceError);
      cb(null, found);
    };
  }
  const server = new grpc.Server();
  server.addService(definition as grpc.ServiceDefinition, handlers);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  return { socket, calls, close: () => server.forceShutdown() };
}
