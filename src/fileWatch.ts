// watch_config_files: a change to a configuration or rules file calls for a
// reload. Each file is watched through its directory (an editor that saves by
// writing a new file and renaming it over the old one replaces the inode a
// file watch would follow); a watched directory (rules/, config.d) counts any
// change to a file in it. Changes are gathered until none came for a moment,
// so a file written in several steps is read once, whole.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SETTLE_MS = 300;

export interface Watching {
  close(): void;
}

export function watchFiles(files: readonly string[], dirs: readonly string[], onChange: (what: string) => void, log: (msg: string) => void, settleMs = SETTLE_MS): Watching {
  const byDir = new Map<string, Set<string> | 'all'>();
  for (const d of dirs) byDir.set(d, 'all');
  for (const f of files) {
    const d = path.dirname(f);
    const names = byDir.get(d);
    if (names === 'all') continue;
    byDir.set(d, (names ?? new Set()).add(path.basename(f)));
  }
  const watchers: fs.FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let changed: string | undefined;
  const fire = (file: string): void => {
    changed ??= file;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      const what = changed!;
      changed = undefined;
      onChange(what);
    }, settleMs);
  };
  for (const [dir, names] of byDir) {
    try {
      const w = fs.watch(dir, { persistent: false }, (_event, name) => {
        const n = name?.toString();
        if (names === 'all' || (n !== undefined && names.has(n))) fire(n === undefined ? dir : path.join(dir, n));
      });
      w.on('error', (e) => log(`watch_config_files: watching ${dir} failed: ${e.message}`));
      watchers.push(w);
    } catch (e) {
      // a directory that does not exist (yet) cannot be watched; the files in it are not there either
      log(`watch_config_files: cannot watch ${dir}: ${(e as Error).message}`);
    }
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
