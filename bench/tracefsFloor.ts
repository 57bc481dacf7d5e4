// The kernel's own price for syscall tracepoints, with no BPF program: a
// syscalls:sys_enter_<name> and sys_exit_<name> event enabled through tracefs
// mark every task for the syscall-work slow path, so every syscall of every
// process then runs the enter and exit tracepoint dispatch whatever it is. Vigil's per-syscall exit hooks cannot
// cost an unwanted syscall less than this. tracefs is mounted on a private
// temporary directory and unmounted after.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TracefsEvents {
  /** runs `work` with the events enabled, then disables them */
  withEnabled<T>(work: () => Promise<T>): Promise<T>;
  close(): void;
}

/** `why` when tracefs cannot be mounted here or lacks an event (then the floor is not measured, and the bench says why) */
export function tracefsEvents(events: string[]): TracefsEvents | { why: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-tracefs-'));
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', dir], { stdio: 'pipe' });
  } catch (e) {
    fs.rmdirSync(dir);
    return { why: `cannot mount tracefs: ${(e as Error).message.split('\n')[0]}` };
  }
  const enables = events.map((e) => path.join(dir, 'events', e, 'enable'));
  const set = (v: '0' | '1'): void => {
    for (const f of enables) fs.writeFileSync(f, v);
  };
  const close = (): void => {
    try {
      set('0');
    } catch {
      // not enabled, or not there
    }
    execFileSync('umount', [dir]);
    fs.rmdirSync(dir);
  };
  const missing = events.find((_, i) => !fs.existsSync(enables[i]));
  if (missing) {
    close();
    return { why: `tracefs has no ${missing}` };
  }
  return {
    async withEnabled<T>(work: () => Promise<T>): Promise<T> {
      set('1');
      try {
        return await work();
      } finally {
        set('0');
      }
    },
    close,
  };
}
