// metrics.interval: every interval the metrics are sampled and sent as the
// internal alert "Falco internal: metrics snapshot" (output_rule) and/or
// appended as one JSON line to output_file, as Falco does.
import * as fs from 'node:fs';
import type { Agent } from '../agent';
import { InternalAlert } from '../outputs/internalAlert';
import type { AgentMetrics } from './agentMetrics';

const INFORMATIONAL = 6;

export function startSnapshots(metrics: AgentMetrics, agent: Agent, log: (msg: string) => void): () => void {
  const cfg = metrics.cfg;
  if (!cfg.enabled || (!cfg.outputRule && cfg.outputFile === '')) return () => undefined;
  let failedFile = false;
  const timer = setInterval(() => {
    void metrics.snapshot().then((fields) => {
      if (cfg.outputRule) agent.emit(new InternalAlert('Falco internal: metrics snapshot', INFORMATIONAL, 'Falco metrics snapshot', fields));
      if (cfg.outputFile !== '') {
        try {
          fs.appendFileSync(cfg.outputFile, `${JSON.stringify({ time: new Date().toISOString(), hostname: agent.outputs.format.hostname, output_fields: fields })}\n`);
          failedFile = false;
        } catch (e) {
          if (!failedFile) log(`metrics: cannot append to metrics.output_file ${cfg.outputFile}: ${(e as Error).message}`);
          failedFile = true;
        }
      }
    });
  }, cfg.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
