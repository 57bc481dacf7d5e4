// Command-line arguments, with Falco's flags where Falco has them.

export interface CliOptions {
  rulesFiles: string[];
  configFile?: string;
  overrides: string[];
  validate: string[];
  describeAll: boolean;
  describeRule?: string;
  /** `--list` alone lists every source (true); `--list SOURCE` one */
  listFields?: string | true;
  disableSubstrings: string[];
  onlyTags: string[];
  disableTags: string[];
  traceFile?: string;
  /** -w: record live syscall capture to this scap file (.gz: gzip) */
  writeFile?: string;
  verbose: boolean;
  version: boolean;
  help: boolean;
  allEvents: boolean;
  disableSources: string[];
  /** --enable-source: only these sources run (not with --disable-source) */
  enableSources: string[];
  dumpEvents: boolean;
  durationSeconds?: number;
  /** a probe artifact to load (npm run probe:build) */
  probe?: string;
  /** print which probe would be loaded and why, then exit */
  probeInfo: boolean;
  /** -P: write the agent's pid to this file while it runs */
  pidFile?: string;
  /** -U: every alert written to stdout and file outputs as it is emitted */
  unbuffered: boolean;
  /** --dry-run: load and check configuration and rules, start nothing */
  dryRun: boolean;
  /** --support: print versions, configuration, rules files and system facts as JSON */
  support: boolean;
  /** -p: Falco's output append (c/container, k/kubernetes, or a format added to every rule's output) */
  printAppend?: string;
  /** --list-events: print the event types each source knows */
  listEvents: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: vigil [options]

  -r FILE|DIR            rules file or directory of *.yaml (repeatable; default: config rules_files)
  -c FILE                configuration file (falco.yaml style)
  -o KEY.PATH=VALUE      override a configuration value (repeatable)
  -V, --validate FILE    validate a rules file and exit (repeatable)
  -L                     describe all rules and exit
  -l RULE                describe one rule and exit
  --list [SOURCE]        list the fields of every source, or of one, and exit
  -D SUBSTRING           disable rules whose name contains SUBSTRING (repeatable)
  -t TAG                 enable only rules with this tag (repeatable)
  -T TAG                 disable rules with this tag (repeatable)
  -e FILE                read events from a trace file instead of live sources
  -w FILE                record live syscall capture to a scap file (FILE.gz: gzip), state first;
                         records every syscall the probe knows, with or without rules
  -A                     capture all syscalls, not only those the rules need
  --disable-source NAME  do not run a source (syscall, k8s_audit); repeatable
  --enable-source NAME   run only this source (repeatable); not with --disable-source
  --list-events          list the event types each source knows and exit
  --dry-run              load and check the configuration and rules, start nothing; exit 0 or 1
  --support              print versions, configuration, rules files (sha256) and system facts as JSON
  -p FORMAT              append FORMAT to every rule's output (Falco's -p; -pc/-pk: container
                         and pod fields on syscall rules); same as append_output extra_output
  -P FILE                write the agent's pid to FILE while it runs (removed at exit)
  -U                     unbuffered: write each alert to stdout/file as it is emitted
  --dump-events          print each captured syscall event, one a line
  --probe PATH           load this probe artifact (npm run probe:build) instead of choosing one
  --probe-info           print which probe this kernel gets and why, and exit
  -M SECONDS             stop after SECONDS
  -v                     verbose: show warnings and progress
  --version              print the version and exit
  -h, --help             print this help and exit
`;

const WITH_VALUE: Record<string, keyof CliOptions> = {
  '-r': 'rulesFiles',
  '-c': 'configFile',
  '-o': 'overrides',
  '-V': 'validate',
  '--validate': 'validate',
  '-l': 'describeRule',
  '-D': 'disableSubstrings',
  '-t': 'onlyTags',
  '-T': 'disableTags',
  '-e': 'traceFile',
  '-w': 'writeFile',
  '--disable-source': 'disableSources',
  '-M': 'durationSeconds',
  '--probe': 'probe',
  '--enable-source': 'enableSources',
  '-p': 'printAppend',
  '--print': 'printAppend',
  '-P': 'pidFile',
  '--pidfile': 'pidFile',
};

const FLAGS: Record<string, keyof CliOptions> = {
  '-L': 'describeAll',
  '-v': 'verbose',
  '--version': 'version',
  '-h': 'help',
  '--help': 'help',
  '-A': 'allEvents',
  '--dump-events': 'dumpEvents',
  '--probe-info': 'probeInfo',
  '-U': 'unbuffered',
  '--unbuffered': 'unbuffered',
  '--dry-run': 'dryRun',
  '--support': 'support',
  '--list-events': 'listEvents',
};

export function parseCliArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    rulesFiles: [],
    overrides: [],
    validate: [],
    describeAll: false,
    disableSubstrings: [],
    onlyTags: [],
    disableTags: [],
    verbose: false,
    version: false,
    help: false,
    allEvents: false,
    disableSources: [],
    enableSources: [],
    dumpEvents: false,
    probeInfo: false,
    unbuffered: false,
    dryRun: false,
    support: false,
    listEvents: false,
  };
  const rec = o as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else if (!arg.startsWith('--') && arg.length > 2 && WITH_VALUE[arg.slice(0, 2)]) {
      // a short option's value may follow it directly, as Falco's -pc or -r/path
      inline = arg.slice(2);
      arg = arg.slice(0, 2);
    }
    if (arg === '--list') {
      const next = inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('-') ? argv[++i] : undefined);
      o.listFields = next ?? true;
      continue;
    }
    const flag = FLAGS[arg];
    if (flag) {
      if (inline !== undefined) throw new UsageError(`${arg} takes no value`);
      rec[flag] = true;
      continue;
    }
    const key = WITH_VALUE[arg];
    if (!key) throw new UsageError(`unknown option '${argv[i]}'\n\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    if (Array.isArray(rec[key])) (rec[key] as string[]).push(value);
    else if (key === 'durationSeconds') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`-M needs a positive number of seconds, got '${value}'`);
      o.durationSeconds = n;
    } else rec[key] = value;
  }
  // as in Falco: -t enables only tagged rules, which -T/-D would contradict
  if (o.onlyTags.length > 0 && (o.disableTags.length > 0 || o.disableSubstrings.length > 0)) {
    throw new UsageError(`-t cannot be combined with ${o.disableTags.length > 0 ? '-T' : '-D'}: -t already enables only the rules with its tags`);
  }
  if (o.enableSources.length > 0 && o.disableSources.length > 0) {
    throw new UsageError('--enable-source cannot be combined with --disable-source (as in Falco): name the sources to run, or those not to');
  }
  return o;
}
