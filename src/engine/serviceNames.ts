// Port numbers by service name, as getservbyname(name, NULL) answers them
// from /etc/services: libs reads a port field's value that is not all digits
// this way (`fd.sport = http`). The file is read once, on the first such
// value; the first entry naming a service (or an alias of it) wins.

import { readFileSync } from 'node:fs';

const SERVICES_FILE = '/etc/services';

let byName: Map<string, number> | undefined;

function load(): Map<string, number> {
  const out = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(SERVICES_FILE, 'utf8');
  } catch {
    return out;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, portProto, ...aliases] = line.split(/\s+/);
    const port = Number(/^(\d+)\//.exec(portProto ?? '')?.[1]);
    if (!Number.isInteger(port) || port > 65535) continue;
    for (const n of [name, ...aliases]) if (!out.has(n)) out.set(n, port);
  }
  return out;
}

/** The port of service `name`, or undefined when the system does not know it. */
export function servicePort(name: string): number | undefined {
  byName ??= load();
  return byName.get(name);
}
