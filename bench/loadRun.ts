// Runs bench/loadClient.ts in its own process and hands back what it printed:
// the load benches' one way of posting audit bodies with autocannon.
import { spawn } from 'node:child_process';
import path from 'node:path';

/** What the load client measured over its counted seconds. */
export interface Load {
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU time the load client used */
  cpuSeconds: number;
}

/**
 * POSTs the bodies in `bodiesFile` (a JSON array of strings) to `url` for
 * `seconds` counted, after `warmup` seconds of the same load not counted;
 * `onMeasuring` runs when the counted part starts (after the client's own
 * start-up and the warm-up).
 */
export function runLoad(url: string, bodiesFile: string, connections: number, seconds: number, warmup: number, onMeasuring: () => void): Promise<Load> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'loadClient.ts'), url, bodiesFile, String(connections), String(seconds), String(warmup)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let measuring = false;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (!measuring && out.includes('measuring\n')) {
        measuring = true;
        onMeasuring();
      }
    });
    child.on('exit', (code) => (code === 0 && measuring ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Load) : reject(new Error(`load client exited ${code}`))));
  });
}
