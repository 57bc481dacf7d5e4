// `-P FILE`: the agent's pid written to FILE while it runs, removed when it
// exits (unless another process has written its own pid there since).
import * as fs from 'node:fs';

export class PidFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PidFileError';
  }
}

/** Writes the pid; returns the function that removes the file. */
export function writePidFile(file: string, pid = process.pid): () => void {
  try {
    fs.writeFileSync(file, `${pid}\n`);
  } catch (e) {
    throw new PidFileError(`-P ${file}: cannot write the pid file: ${(e as Error).message}`);
  }
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    try {
      if (fs.readFileSync(file, 'utf8').trim() === String(pid)) fs.unlinkSync(file);
    } catch {
      // already gone
    }
  };
  // also on an exit that skips the agent's own stop (a fatal error, process.exit)
  process.once('exit', remove);
  return remove;
}
