// program_output: a real shell program reading the alerts on its stdin, kept
// alive or started once per alert, respawned after SIGUSR1's reopen(), and
// what a program that dies costs (counted, not silent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../src/config';
import { Outputs } from '../../../src/outputs/outputs';
import { alert, collectLog, config } from './alerts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-program-'));

function readLines(f: string): string[] {
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
}

test('keep_alive: one process gets every alert, one a line, in order; it sees end of input at close', async () => {
  const file = path.join(dir, 'kept.txt');
  const pids = path.join(dir, 'kept.pids');
  const out = new Outputs(config('program_output.enabled=true', 'program_output.keep_alive=true', `program_output.program=echo $$ >> ${pids}; cat >> ${file}; echo eof >> ${file}`), collectLog());
  for (let i = 0; i < 500; i++) out.emit(alert(i));
  await out.close();
  const lines = readLines(file);
  assert.equal(lines.length, 501);
  assert.match(lines[0], /: Warning alert number 0$/);
  assert.match(lines[499], /alert number 499$/);
  assert.equal(lines[500], 'eof');
  assert.equal(readLines(pids).length, 1);
  assert.equal(out.channels[0].stats.sent, 500);
});

test('without keep_alive: one process per alert, each after the previous exited', async () => {
  const file = path.join(dir, 'each.txt');
  const out = new Outputs(config('program_output.enabled=true', `program_output.program=read l; echo "$$ $l" >> ${file}`), collectLog());
  for (let i = 0; i < 5; i++) out.emit(alert(i));
  await out.close();
  const lines = readLines(file);
  assert.equal(lines.length, 5);
  assert.equal(new Set(lines.map((l) => l.split(' ')[0])).size, 5, 'five processes');
  lines.forEach((l, i) => assert.match(l, new RegExp(`alert number ${i}$`)));
});

test('reopen() (SIGUSR1) ends the kept-alive program and starts a new one for the next alert', async () => {
  const file = path.join(dir, 'reopen.txt');
  const out = new Outputs(config('program_output.enabled=true', 'program_output.keep_alive=true', `program_output.program=sed "s/^/$$ /" >> ${file}`), collectLog());
  out.emit(alert(1));
  await new Promise((r) => setTimeout(r, 200));
  out.reopen();
  out.emit(alert(2));
  await out.close();
  const lines = readLines(file);
  assert.equal(lines.length, 2);
  assert.notEqual(lines[0].split(' ')[0], lines[1].split(' ')[0]);
});

/** true once `pid` has exited (gone, or a zombie not yet reaped) */
function exited(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

async function until(what: string, cond: () => boolean, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a kept-alive program that exits is started again for the next alert', async () => {
  const file = path.join(dir, 'dies.txt');
  const pids = path.join(dir, 'dies.pids');
  // exec: the program is head itself, so its exit leaves the pipe without a reader
  const out = new Outputs(config('program_output.enabled=true', 'program_output.keep_alive=true', `program_output.program=echo $$ >> ${pids}; exec head -n 1 >> ${file}`), collectLog());
  out.emit(alert(1));
  await until('the first program to write its line and exit', () => readLines(file).length === 1 && readLines(pids).length === 1 && exited(Number(readLines(pids)[0])));
  out.emit(alert(2));
  await out.close();
  const got = readLines(file);
  assert.equal(out.channels[0].stats.sent, 2);
  assert.equal(got.length, 2);
  assert.match(got[0], /alert number 1$/);
  assert.match(got[1], /alert number 2$/);
  assert.equal(readLines(pids).length, 2);
});

test('an empty program is refused at start', () => {
  assert.throws(() => new Outputs(config('program_output.enabled=true', 'program_output.program=""')), (e: unknown) => e instanceof ConfigError && /program_output\.program: empty/.test(e.message));
});
