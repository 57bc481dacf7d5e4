// Reads the rules files named on the command line or in the configuration:
// a path is a file, or a directory whose *.yaml/*.yml files are read sorted
// by name. Only regular files are read, and only up to MAX_RULES_FILE_BYTES:
// a FIFO named x.yaml would block startup and every reload, and a symlink to
// /dev/zero would grow memory without end.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { RulesError } from '../errors';

/** Largest rules file read. Falco's own rules files are a few hundred kB. */
export const MAX_RULES_FILE_BYTES = 32 * 1024 * 1024;

export interface RulesInput {
  name: string;
  content: string;
}

export function readRulesInputs(paths: readonly string[], maxBytes = MAX_RULES_FILE_BYTES): { files: RulesInput[]; errors: RulesError[] } {
  const files: RulesInput[] = [];
  const errors: RulesError[] = [];
  const fail = (msg: string): void => void errors.push(new RulesError(msg, undefined, undefined, undefined));
  for (const path of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(path);
    } catch (err) {
      fail(`cannot read rules file '${path}': ${(err as Error).message}`);
      continue;
    }
    if (!st.isDirectory()) {
      const r = readRegularFile(path, maxBytes);
      if (typeof r === 'string') files.push({ name: path, content: r });
      else fail(`cannot read rules file '${path}': ${r.error}`);
      continue;
    }
    let names: string[];
    try {
      names = fs
        .readdirSync(path)
        .filter((n) => /\.ya?ml$/.test(n))
        .sort();
    } catch (err) {
      fail(`cannot read rules directory '${path}': ${(err as Error).message}`);
      continue;
    }
    for (const n of names) {
      const file = join(path, n);
      const r = readRegularFile(file, maxBytes);
      if (typeof r === 'string') files.push({ name: file, content: r });
      else fail(`cannot read rules file '${file}': ${r.error}`);
    }
  }
  return { files, errors };
}

/**
 * The file's text, or why it was not read. Opened without blocking (a FIFO
 * with no writer would wait forever in open), then checked through the open
 * descriptor, so a symlink is judged by what it points to.
 */
export function readRegularFile(path: string, maxBytes: number): string | { error: string } {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (err) {
    return { error: (err as Error).message };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { error: `not a regular file (${kindOf(st)}); only regular files are read` };
    if (st.size > maxBytes) return { error: `${st.size} bytes, more than the ${maxBytes}-byte limit for a rules file` };
    // read to the end, not to fstat's size: a file may grow while it is read
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(64 * 1024);
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { error: `more than the ${maxBytes}-byte limit for a rules file` };
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    fs.closeSync(fd);
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a file';
}
