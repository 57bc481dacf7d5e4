#!/usr/bin/env node
// Type-checks src/, test/ and bench/, then runs every test/**/*.test.ts with
// Node's own test runner. Extra arguments are passed to `node --test`.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function findTests(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const named = args.some((a) => !a.startsWith('-'));

// The whole-suite run type-checks everything first; a run of named files does not.
const tsc = named ? { status: 0 } : spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('run-tests: type check failed');
  process.exit(1);
}

const files = named ? [] : findTests(path.join(root, 'test'));
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...args, ...files], { cwd: root, stdio: 'inherit' });
process.exit(res.status === null ? 1 : res.status);
