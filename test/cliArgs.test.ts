import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliArgs, UsageError } from '../src/cliArgs';

test('repeatable options collect, flags set', () => {
  const o = parseCliArgs(['-r', 'a.yaml', '-r', 'dir', '-o', 'x=1', '-D', 'shell', '-D', 'curl', '-T', 'net', '-v', '-A']);
  assert.deepEqual(o.rulesFiles, ['a.yaml', 'dir']);
  assert.deepEqual(o.overrides, ['x=1']);
  assert.deepEqual(o.disableSubstrings, ['shell', 'curl']);
  assert.deepEqual(parseCliArgs(['-t', 'k8s', '-t', 'net']).onlyTags, ['k8s', 'net']);
  assert.deepEqual(o.disableTags, ['net']);
  assert.equal(o.verbose, true);
  assert.equal(o.allEvents, true);
});

test('--list takes an optional source', () => {
  assert.equal(parseCliArgs(['--list']).listFields, true);
  assert.equal(parseCliArgs(['--list', 'k8s_audit']).listFields, 'k8s_audit');
  assert.equal(parseCliArgs(['--list=syscall']).listFields, 'syscall');
  assert.equal(parseCliArgs(['--list', '-v']).listFields, true);
});

test('-V and --validate are the same, -e and -M take values', () => {
  const o = parseCliArgs(['-V', 'a.yaml', '--validate=b.yaml', '-e', 't.json', '-M', '2.5']);
  assert.deepEqual(o.validate, ['a.yaml', 'b.yaml']);
  assert.equal(o.traceFile, 't.json');
  assert.equal(o.durationSeconds, 2.5);
});

test('bad arguments are usage errors that say what is wrong', () => {
  assert.throws(() => parseCliArgs(['--bogus']), (e: unknown) => e instanceof UsageError && /unknown option '--bogus'/.test(e.message));
  assert.throws(() => parseCliArgs(['-r']), /-r needs a value/);
  assert.throws(() => parseCliArgs(['-M', 'soon']), /-M needs a positive number/);
  assert.throws(() => parseCliArgs(['--version=2']), /takes no value/);
});

test('-t with -T or -D is refused, as Falco refuses it', () => {
  assert.throws(() => parseCliArgs(['-t', 'k8s', '-T', 'network']), (e: unknown) => e instanceof UsageError && /-t cannot be combined with -T/.test(e.message));
  assert.throws(() => parseCliArgs(['-D', 'shell', '-t', 'k8s']), (e: unknown) => e instanceof UsageError && /-t cannot be combined with -D/.test(e.message));
  assert.deepEqual(parseCliArgs(['-T', 'network', '-D', 'shell']).disableTags, ['network']);
});

test("Falco's -P, -U, --dry-run, --support, -p, --enable-source, --list-events", () => {
  const o = parseCliArgs(['-P', '/run/v.pid', '-U', '--dry-run', '--support', '-p', 'x=%evt.type', '--enable-source', 'k8s_audit', '--list-events']);
  assert.equal(o.pidFile, '/run/v.pid');
  assert.equal(o.unbuffered, true);
  assert.equal(o.dryRun, true);
  assert.equal(o.support, true);
  assert.equal(o.printAppend, 'x=%evt.type');
  assert.deepEqual(o.enableSources, ['k8s_audit']);
  assert.equal(o.listEvents, true);
  // a short option's value may be attached, as cxxopts takes it (-pc, -pk, -r/x)
  assert.equal(parseCliArgs(['-pc']).printAppend, 'c');
  assert.deepEqual(parseCliArgs(['-r/x.yaml', '-M3']).rulesFiles, ['/x.yaml']);
  assert.equal(parseCliArgs(['--pidfile=/p', '--unbuffered']).pidFile, '/p');
  assert.throws(() => parseCliArgs(['-Ux']), /unknown option '-Ux'/);
  assert.throws(() => parseCliArgs(['--enable-source', 'syscall', '--disable-source', 'k8s_audit']), (e: unknown) => e instanceof UsageError && /cannot be combined with --disable-source/.test(e.message));
});
