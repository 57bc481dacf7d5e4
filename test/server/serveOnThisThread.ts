// A webserver as the agent starts it with webserver.threadiness -1: the
// configuration checked first, bodies decoded and their events handed to
// `accept` on this thread. Closing it closes its evaluation too.
import { MainThreadEvaluation } from '../../src/server/mainThreadEvaluation';
import { startWebserver, type Webserver } from '../../src/server/webserver';
import { checkWebserverConfig, type WebserverConfig } from '../../src/server/webserverConfig';

export function serveOnThisThread(cfg: WebserverConfig, accept: (e: Record<string, unknown>) => void, versions = { vigil: 't', engine: 't' }): Webserver {
  checkWebserverConfig(cfg);
  const evaluation = new MainThreadEvaluation({ accept });
  const server = startWebserver(cfg, evaluation, versions);
  return {
    ...server,
    close() {
      server.close();
      void evaluation.close();
    },
  };
}
