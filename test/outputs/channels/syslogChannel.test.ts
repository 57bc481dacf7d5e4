// syslog_output against a datagram socket bound by a small C program standing
// in for the syslog daemon (Node cannot bind unix datagram sockets): the
// framing glibc's syslog(3) gives Falco's alerts, facility user with the
// alert's priority as severity, and counting while the socket is missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UNIX_DATAGRAM_ADDON, syslogFrame } from '../../../src/outputs/channels/syslogChannel';
import { Outputs } from '../../../src/outputs/outputs';
import { alert, collectLog, config } from './alerts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-syslog-'));
const SINK = path.join(dir, 'dgramSink');
const built = fs.existsSync(UNIX_DATAGRAM_ADDON);

before(() => {
  execFileSync('cc', ['-O2', '-o', SINK, path.join(__dirname, 'fixtures', 'dgramSink.c')]);
});

interface Sink {
  lines: string[];
  proc: ChildProcess;
  waitFor(n: number): Promise<void>;
}

async function startSink(socket: string): Promise<Sink> {
  const proc = spawn(SINK, [socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  after(() => proc.kill());
  const lines: string[] = [];
  let buf = '';
  let wake: (() => void) | undefined;
  proc.stdout!.on('data', (c: Buffer) => {
    buf += c.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    wake?.();
  });
  const sink: Sink = {
    lines,
    proc,
    async waitFor(n) {
      const deadline = Date.now() + 10000;
      while (lines.length < n) {
        if (Date.now() > deadline) throw new Error(`sink got ${lines.length} of ${n} lines: ${lines.join(' | ')}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
  };
  await sink.waitFor(1);
  assert.equal(lines.shift(), 'ready');
  return sink;
}

test('syslogFrame: glibc syslog(3) framing of a Falco alert without openlog', () => {
  const t = new Date(2026, 0, 5, 9, 7, 3).getTime();
  assert.equal(syslogFrame('vigil', 4, 'msg', t), '<12>Jan  5 09:07:03 vigil: msg');
  assert.equal(syslogFrame('vigil', 0, 'x', new Date(2026, 11, 25, 23, 59, 59).getTime()), '<8>Dec 25 23:59:59 vigil: x');
  assert.equal(syslogFrame('vigil', 7, 'x', t).slice(0, 4), '<15>');
});

test('each alert is one datagram with its priority as severity, the JSON line as message', { skip: !built && 'the unix datagram addon is not built (scripts/setup-native.sh)' }, async () => {
  const socket = path.join(dir, 'log1');
  const sink = await startSink(socket);
  const out = new Outputs(config('syslog_output.enabled=true', `syslog_output.socket=${socket}`, 'json_output=true'), collectLog());
  for (let p = 0; p < 8; p++) out.emit(alert(p, p));
  await sink.waitFor(8);
  await out.close();
  assert.equal(out.channels[0].stats.sent, 8);
  sink.lines.forEach((l, p) => {
    const m = /^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d vigil: (\{.*\})$/.exec(l);
    assert.ok(m, l);
    assert.equal(Number(m[1]), 8 + p);
    assert.equal(JSON.parse(m[2]).output_fields['ka.user.name'], `user${p}`);
  });
});

test('a missing socket is said once and its alerts counted as failed; the channel connects when the socket appears', { skip: !built && 'the unix datagram addon is not built' }, async () => {
  const socket = path.join(dir, 'log2');
  const l = collectLog();
  const out = new Outputs(config('syslog_output.enabled=true', `syslog_output.socket=${socket}`), l);
  for (let i = 0; i < 5; i++) out.emit(alert(i));
  await new Promise((r) => setTimeout(r, 50));
  const ch = out.channels[0];
  assert.equal(ch.stats.dropped.failed, 5);
  assert.equal(l.lines.filter((x) => x.includes(`cannot connect to ${socket}: ENOENT`)).length, 1, l.lines.join('\n'));
  const sink = await startSink(socket);
  // reconnection is tried at most once a second
  await new Promise((r) => setTimeout(r, 1100));
  out.emit(alert(99));
  await sink.waitFor(1);
  await out.close();
  assert.match(sink.lines[0], /vigil: .*alert number 99$/);
  assert.equal(ch.stats.sent, 1);
  assert.ok(l.lines.some((x) => x.includes('reachable again')), l.lines.join('\n'));
});
