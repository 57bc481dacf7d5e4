// The far ends of bench:outputs, each in its own process so that they do not
// share the agent's thread: an HTTP receiver (uWebSockets.js, answering 200 to
// every POST) and a gRPC subscriber built from Falco's own proto that keeps
// asking `sub` for alerts. Each prints its count on stdout when asked (a line
// on stdin) and once it has received the number given on the command line;
// the gRPC subscriber then prints what receiving them cost it.
import * as path from 'node:path';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { positiveKnob } from './envKnob';

const [kind, target, wantText] = process.argv.slice(2);
const want = Number(wantText);
let received = 0;
const report = (): void => void process.stdout.write(`${received}\n`);
process.stdin.on('data', report);

if (kind === 'http') {
  const uWS = require('uWebSockets.js') as typeof import('uWebSockets.js');
  const app = uWS.App();
  app.post('/*', (res) => {
    res.onAborted(() => undefined);
    res.onData((_chunk, last) => {
      if (!last) return;
      received++;
      res.cork(() => res.end('ok'));
      if (received === want) report();
    });
  });
  app.listen('127.0.0.1', 0, (s) => {
    if (!s) throw new Error('http receiver: cannot listen');
    process.stdout.write(`port ${uWS.us_socket_local_port(s)}\n`);
  });
} else if (kind === 'grpc') {
  const grpc = require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const def = protoLoader.loadSync('outputs.proto', { keepCase: true, longs: String, enums: String, defaults: true, includeDirs: [path.resolve(__dirname, '../test/fixtures/upstream/falco-grpc')] });
  const pkg = grpc.loadPackageDefinition(def) as any;
  // BENCH_GRPC_WINDOW (bytes, 0 or unset: grpc-js's 64 KiB) gives the subscriber a larger HTTP/2 window, as Go
  // subscribers have; at 1 MiB about 1 run in 9 of 100k alerts deadlocks (see the note in grpcChannel.ts)
  const window = positiveKnob('BENCH_GRPC_WINDOW', 0, true);
  const client = new pkg.falco.outputs.service(target, grpc.credentials.createInsecure(), window > 0 ? { 'grpc-node.flow_control_window': window } : {});
  const sub = client.sub();
  // the subscriber's own cost, from the first alert to the last: CPU time and how busy its event loop was
  let cpu0: NodeJS.CpuUsage | undefined;
  let elu0: EventLoopUtilization | undefined;
  sub.on('data', () => {
    if (received === 0) {
      cpu0 = process.cpuUsage();
      elu0 = performance.eventLoopUtilization();
    }
    received++;
    if (received !== want) return;
    report();
    const cpu = process.cpuUsage(cpu0);
    process.stdout.write(`cpu ${cpu.user + cpu.system} ${performance.eventLoopUtilization(elu0).utilization}\n`);
  });
  sub.on('error', (e: Error) => {
    process.stderr.write(`grpc subscriber: ${e.message}\n`);
    process.exit(1);
  });
  // a client polls by sending requests; each is answered with what is queued
  const poll = setInterval(() => sub.write({}), 2);
  process.stdin.on('end', () => {
    clearInterval(poll);
    sub.end();
    client.close();
  });
  process.stdout.write('ready\n');
}
