// The sockets of http_output's pool, made by undici's own connector and kept
// so that many POSTs leave in one write: the channel corks them while it hands
// a batch to undici, and each socket corks itself while undici reads answers
// (undici sends the next pipelined request from there). Both uncork on the next
// tick, so a turn's requests cost one writev per socket instead of one each.
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';

export class CorkingConnector {
  readonly connect: buildConnector.connector;
  private readonly sockets = new Set<Socket>();

  constructor(options: buildConnector.BuildOptions) {
    const base = buildConnector(options);
    this.connect = (opts, callback) =>
      base(opts, (err, socket) => {
        if (err || !socket) {
          callback(err ?? new Error('connect gave no socket'), null);
          return;
        }
        // before undici's own 'readable' listener, which parses the answers and writes what follows
        socket.on('readable', () => corkForATick(socket));
        socket.once('close', () => this.sockets.delete(socket));
        this.sockets.add(socket);
        callback(null, socket);
      });
  }

  /** holds what is written to every open socket until the next tick */
  corkAll(): void {
    for (const s of this.sockets) corkForATick(s);
  }
}

function corkForATick(socket: Socket): void {
  if (socket.destroyed) return;
  socket.cork();
  process.nextTick(uncork, socket);
}

function uncork(socket: Socket): void {
  socket.uncork();
}
