// Falco's `capture` rule key: an alert of a rule with `capture: true` (or of
// any rule with capture.mode all_rules) opens a gzip capture file named
// `<capture.path_prefix>_<event ts, 20 digits>_<event number, 20 digits>.scap`,
// holding the state at that moment, the triggering event and every event after
// it until its time passes the deadline: the event's time plus the rule's
// capture_duration (else capture.default_duration), pushed later by each
// further alert. As Falco, one capture at a time.
import type { CompiledRule } from '../../../engine/compiledRule';
import { type ConfigTree, ConfigError, get, getBool } from '../../../config';
import type { SyscallEvent } from '../state/syscallEvent';
import { ScapWriter } from './scapWriter';

export interface CaptureConfig {
  enabled: boolean;
  pathPrefix: string;
  mode: 'rules' | 'all_rules';
  defaultDurationMs: number;
}

export function captureConfig(config: ConfigTree): CaptureConfig {
  const mode = String(get(config, 'capture.mode', 'rules'));
  if (mode !== 'rules' && mode !== 'all_rules') throw new ConfigError(`capture.mode: expected rules or all_rules, got '${mode}'`);
  const ms = Number(get(config, 'capture.default_duration', 5000));
  if (!Number.isFinite(ms) || ms < 0) throw new ConfigError(`capture.default_duration: expected milliseconds, got '${get(config, 'capture.default_duration', '')}'`);
  return { enabled: getBool(config, 'capture.enabled', false), pathPrefix: String(get(config, 'capture.path_prefix', '/tmp/falco')), mode, defaultDurationMs: ms };
}

function digits20(n: bigint | number): string {
  return BigInt(n).toString().padStart(20, '0');
}

export function captureFilePath(prefix: string, ts: bigint, evtNum: number): string {
  return `${prefix}_${digits20(ts)}_${digits20(evtNum)}.scap`;
}

export class RuleCapture {
  private writer: ScapWriter | undefined;
  private deadline = 0n;
  /** set by onAlert during the current event's evaluation */
  private pendingDeadline = 0n;
  private start = false;
  readonly files: string[] = [];

  constructor(
    private readonly cfg: CaptureConfig,
    private readonly log: (msg: string) => void,
  ) {}

  /** An alert of `rule` on event `e` (called during evaluation). */
  onAlert(rule: CompiledRule<SyscallEvent>, e: SyscallEvent): void {
    const wanted = this.cfg.mode === 'all_rules' || rule.capture;
    if (wanted) this.start = true;
    // as Falco: every alert pushes the deadline of a capture, whether it started one or not
    const ms = rule.captureDurationMs > 0 ? rule.captureDurationMs : this.cfg.defaultDurationMs;
    const d = e.view.ts + BigInt(Math.round(ms * 1e6));
    if (d > this.pendingDeadline) this.pendingDeadline = d;
  }

  /** After the event's evaluation: open a capture if an alert asked, write the event, close at the deadline. */
  afterEvent(e: SyscallEvent): void {
    if (this.pendingDeadline > this.deadline) this.deadline = this.pendingDeadline;
    this.pendingDeadline = 0n;
    if (this.start && this.writer === undefined) this.open(e);
    this.start = false;
    const w = this.writer;
    if (w === undefined) return;
    try {
      w.writeEvent(e.view);
    } catch (err) {
      this.log(`capture: writing ${w.path} failed: ${(err as Error).message}; capture ended`);
      this.finish();
      return;
    }
    if (e.view.ts >= this.deadline) this.finish();
  }

  /** Ends a capture in progress (agent stopping). */
  close(): Promise<void> {
    return this.finish() ?? Promise.resolve();
  }

  private open(e: SyscallEvent): void {
    const file = captureFilePath(this.cfg.pathPrefix, e.view.ts, e.num);
    try {
      const w = new ScapWriter(file, { gzip: true });
      w.writeState({ threads: e.threads, users: e.users.userEntries(), groups: e.users.groupEntries() });
      this.writer = w;
      this.files.push(file);
      this.log(`capture: writing ${file}`);
    } catch (err) {
      this.log(`capture: cannot write ${file}: ${(err as Error).message}`);
    }
  }

  private finish(): Promise<void> | undefined {
    const w = this.writer;
    if (w === undefined) return undefined;
    this.writer = undefined;
    this.deadline = 0n;
    return w.close().then(
      () => this.log(`capture: ${w.stats.events} events written to ${w.path}`),
      (err: unknown) => this.log(`capture: writing ${w.path} failed: ${(err as Error).message}`),
    );
  }
}
