// log_level, log_stderr and log_syslog on the real `vigil` command: the agent's
// own lines (here a trace read with one malformed line: a `rejected:` line at
// info, the count at warning) are filtered by level and sent to stderr and/or
// a syslog socket (a small C program bound to it stands in for the daemon).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNIX_DATAGRAM_ADDON } from '../../src/outputs/channels/syslogChannel';
import { FIX, run, until } from './cliProcess';

const OK = path.join(FIX, 'ok_rules.yaml');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-log-'));
const TRACE = path.join(dir, 'mixed.jsonl');
const SINK = path.join(dir, 'dgramSink');

before(() => {
  const good = fs.readFileSync(path.join(FIX, 'events.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  fs.writeFileSync(TRACE, [good[0], '{"kind":"Event", "verb": ', good[1]].join('\n') + '\n');
});
after(() => fs.rmSync(dir, { recursive: true }));

const common = ['-r', OK, '-e', TRACE, '-o', 'syslog_output.enabled=false', '-o', 'log_syslog=false'];

test('log_level filters the agent lines by severity; log_stderr=false silences stderr; a bad level is refused', async () => {
  const [info, warning, quiet, bad] = await Promise.all([
    run([...common]),
    run([...common, '-o', 'log_level=warning']),
    run([...common, '-o', 'log_stderr=false']),
    run([...common, '-o', 'log_level=verbose']),
  ]);
  assert.match(info.stderr, /^rejected: .*mixed\.jsonl:2/m);
  assert.match(info.stderr, /^1 input\(s\) rejected, 2 event\(s\) read/m);
  assert.doesNotMatch(warning.stderr, /rejected: /);
  assert.match(warning.stderr, /^1 input\(s\) rejected/m);
  assert.equal(quiet.stderr, '');
  // the alerts are not log lines: they still reach stdout
  for (const r of [info, warning, quiet]) {
    assert.equal(r.code, 2);
    assert.match(r.stdout, /Events detected: 2\n/);
  }
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /log_level: expected one of emergency, alert, critical, error, warning, notice, info, debug, got 'verbose'/);
});

test('log_syslog: each line one datagram framed as syslog(3) frames it, severity from its level', { skip: fs.existsSync(UNIX_DATAGRAM_ADDON) ? false : 'SKIPPED LOUDLY: the unix datagram addon is not built (scripts/setup-native.sh)' }, async () => {
  execFileSync('cc', ['-O2', '-o', SINK, path.join(__dirname, '../outputs/channels/fixtures/dgramSink.c')]);
  const socket = path.join(dir, 'log.sock');
  const sink = spawn(SINK, [socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  sink.stdout!.on('data', (c) => (got += c));
  try {
    await until('the sink to be ready', () => got.startsWith('ready\n'), 5000);
    got = '';
    const r = await run(['-r', OK, '-e', TRACE, '-o', 'syslog_output.enabled=false', '-o', 'log_syslog=true', '-o', 'log_stderr=false', '-o', `syslog_output.socket=${socket}`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, '');
    await until('two log lines at the sink', () => got.split('\n').filter((l) => l !== '').length >= 2, 5000, () => got);
    const lines = got.split('\n').filter((l) => l !== '');
    // facility user (8) + info (6) and + warning (4)
    assert.match(lines[0], /^<14>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d vigil: rejected: .*mixed\.jsonl:2/);
    assert.match(lines[1], /^<12>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d vigil: 1 input\(s\) rejected, 2 event\(s\) read/);
  } finally {
    sink.kill();
  }
});
