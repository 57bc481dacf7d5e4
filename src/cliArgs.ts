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
  dumpEvents: boolean;
  durationSeconds?: number;
  /** a probe artifact to load (npm run probe:build) */
  probe?: string;
  /** print which probe would be loaded and why, then exit */
  probeInfo: boolean;
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
    dumpEvents: false,
    probeInfo: false,
  };
  const rec = o as unknown as Record<string, unknown>;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
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
  return o;
}
