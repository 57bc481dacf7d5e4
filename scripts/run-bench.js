#!/usr/bin/env node
// Runs every benchmark in bench/ (one file per `npm run bench:<name>`) and
// prints one summary table from the last line each benchmark prints as JSON.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const names = Object.keys(pkg.scripts).filter((s) => s.startsWith('bench:')).sort();
const rows = [];
for (const name of names) {
  const file = path.join(root, 'bench', `${name.slice('bench:'.length)}.bench.ts`);
  if (!fs.existsSync(file)) continue;
  console.log(`\n=== npm run ${name}`);
  const res = spawnSync('npm', ['run', '--silent', name], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(res.stdout);
  const summary = res.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{"bench"'));
  rows.push({ bench: name, status: res.status === 0 ? 'ok' : `exit ${res.status}`, ...(summary ? JSON.parse(summary) : {}) });
}
console.log('\n=== summary');
console.table(rows);
