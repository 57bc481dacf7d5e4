// The agent run as its own process by the memory benches: when it is ready
// (webserver listening, and the audit workers, if any, holding their rules),
// and its memory as the kernel counts it.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** A /proc/PID/status size (VmRSS, VmHWM), in bytes. */
export function procStatusBytes(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Waits until the agent listens and its audit workers (when it has any) have built the rules; the port. */
export async function agentReady(child: ChildProcess, stderr: () => string): Promise<number> {
  let port = 0;
  while (port === 0) {
    const m = /listening on [^:]+:(\d+)/.exec(stderr());
    if (m) port = Number(m[1]);
    else if (child.exitCode !== null) throw new Error(`agent exited: ${stderr()}`);
    else await new Promise((r) => setTimeout(r, 50));
  }
  const workers = /evaluating in (\d+) worker/.test(stderr());
  while (workers && !/evaluation worker\(s\) built the rules/.test(stderr())) {
    if (child.exitCode !== null || /not using it|not restarting it/.test(stderr())) throw new Error(`the workers did not build the rules: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return port;
}
