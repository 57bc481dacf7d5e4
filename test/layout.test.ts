// What the folders promise about imports (README's layout table): no import
// circles in src/, the engine imports no source, sources import no outputs,
// and an audit evaluation worker loads no part of the syscall source. Read
// from the import statements of src/**/*.ts; `import type` costs nothing at
// run time but still counts for circles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? tsFiles(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

/** `from './x'`, `import './x'`, `require('./x')`: the file it names, if in src/. */
function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const f of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(f)) return f;
  return undefined;
}

interface Edge {
  to: string;
  typeOnly: boolean;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/gm;

const graph = new Map<string, Edge[]>();
for (const file of tsFiles(SRC)) {
  const edges: Edge[] = [];
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(IMPORT)) {
    const to = resolveImport(file, m[3] ?? m[4]);
    if (to) edges.push({ to, typeOnly: m[2] !== undefined });
  }
  graph.set(file, edges);
}
const rel = (f: string): string => path.relative(SRC, f);

test('the import reader sees the imports (a check that cannot see them proves nothing)', () => {
  assert.ok(graph.size > 100, `${graph.size} files`);
  const cli = graph.get(path.join(SRC, 'cli.ts'))!.map((e) => rel(e.to));
  assert.ok(cli.includes('agent.ts') && cli.includes('live.ts'), cli.join(', '));
});

test('no import circles in src/', () => {
  const state = new Map<string, 'open' | 'done'>();
  const circles: string[] = [];
  const visit = (f: string, trail: string[]): void => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      circles.push([...trail.slice(trail.indexOf(f)), f].map(rel).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const e of graph.get(f) ?? []) visit(e.to, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.deepEqual(circles, []);
});

function offending(from: (f: string) => boolean, to: (f: string) => boolean, runtimeOnly: boolean): string[] {
  const out: string[] = [];
  for (const [f, edges] of graph) {
    if (!from(rel(f))) continue;
    for (const e of edges) if (to(rel(e.to)) && !(runtimeOnly && e.typeOnly)) out.push(`${rel(f)} -> ${rel(e.to)}`);
  }
  return out;
}

test('the engine imports no source, no output and no server', () => {
  assert.deepEqual(offending((f) => f.startsWith('engine/'), (f) => !f.startsWith('engine/'), false), []);
});

test('sources import no outputs', () => {
  assert.deepEqual(offending((f) => f.startsWith('sources/'), (f) => f.startsWith('outputs/'), false), []);
});

test('an audit evaluation worker loads nothing of the syscall source', () => {
  const loaded = new Set<string>();
  const walk = (f: string): void => {
    if (loaded.has(f)) return;
    loaded.add(f);
    for (const e of graph.get(f) ?? []) if (!e.typeOnly) walk(e.to);
  };
  walk(path.join(SRC, 'server/auditWorker.ts'));
  assert.ok([...loaded].some((f) => rel(f).startsWith('sources/k8s_audit/')), 'the worker loads the k8s_audit source');
  assert.deepEqual([...loaded].map(rel).filter((f) => f.startsWith('sources/syscall/')), []);
});
