// syscall_event_drops (Falco's keys): once a second the probe's counters are
// compared with the previous second's; when the share of events dropped
// exceeds `threshold`, the actions run: log, alert (an internal alert, as
// Falco's "Falco internal: syscall event drop"), exit. log and alert are
// rate-limited by a token bucket (`rate` messages a second, `max_burst` at once).
import { ConfigError, type ConfigTree, get, getNumber } from '../../config';

export type DropAction = 'ignore' | 'log' | 'alert' | 'exit';
const ACTIONS: readonly DropAction[] = ['ignore', 'log', 'alert', 'exit'];

export interface SyscallEventDropsConfig {
  threshold: number;
  actions: ReadonlySet<DropAction>;
  rate: number;
  maxBurst: number;
}

export function syscallEventDropsConfig(config: ConfigTree): SyscallEventDropsConfig {
  const threshold = getNumber(config, 'syscall_event_drops.threshold', 0.1, 0, 1);
  const raw = get<unknown>(config, 'syscall_event_drops.actions', ['log', 'alert']);
  if (!Array.isArray(raw)) throw new ConfigError(`syscall_event_drops.actions: expected a list of ${ACTIONS.join(', ')}, got ${JSON.stringify(raw)}`);
  const actions = new Set<DropAction>();
  for (const a of raw) {
    const name = String(a).trim().toLowerCase();
    if (!ACTIONS.includes(name as DropAction)) throw new ConfigError(`syscall_event_drops.actions: unknown action '${a}' (known: ${ACTIONS.join(', ')})`);
    actions.add(name as DropAction);
  }
  if (actions.has('ignore') && actions.size > 1) throw new ConfigError(`syscall_event_drops.actions: 'ignore' cannot be combined with other actions (${[...actions].join(', ')})`);
  const rate = getNumber(config, 'syscall_event_drops.rate', 0.03333, Number.MIN_VALUE);
  const maxBurst = getNumber(config, 'syscall_event_drops.max_burst', 1, 1, Number.MAX_SAFE_INTEGER, true);
  return { threshold, actions, rate, maxBurst };
}

export interface DropVerdict {
  seen: number;
  dropped: number;
  ratio: number;
  /** log and alert when the bucket had a token; exit regardless */
  actions: DropAction[];
}

export class DropMonitor {
  private lastSeen = 0;
  private lastDropped = 0;
  private tokens: number;
  private lastRefill: number;

  constructor(
    private readonly cfg: SyscallEventDropsConfig,
    nowMs: number,
  ) {
    this.tokens = cfg.maxBurst;
    this.lastRefill = nowMs;
  }

  /** `seen`/`dropped`: the probe's counters since start; undefined when nothing is to be done */
  check(seen: number, dropped: number, nowMs: number): DropVerdict | undefined {
    const dSeen = seen - this.lastSeen;
    const dDropped = dropped - this.lastDropped;
    this.lastSeen = seen;
    this.lastDropped = dropped;
    this.tokens = Math.min(this.cfg.maxBurst, this.tokens + ((nowMs - this.lastRefill) / 1000) * this.cfg.rate);
    this.lastRefill = nowMs;
    if (dDropped <= 0 || this.cfg.actions.has('ignore') || this.cfg.actions.size === 0) return undefined;
    const ratio = dDropped / (dSeen + dDropped);
    if (ratio <= this.cfg.threshold && this.cfg.threshold > 0) return undefined;
    const actions: DropAction[] = [];
    if ((this.cfg.actions.has('log') || this.cfg.actions.has('alert')) && this.tokens >= 1) {
      this.tokens -= 1;
      if (this.cfg.actions.has('log')) actions.push('log');
      if (this.cfg.actions.has('alert')) actions.push('alert');
    }
    if (this.cfg.actions.has('exit')) actions.push('exit');
    return actions.length > 0 ? { seen: dSeen, dropped: dDropped, ratio, actions } : undefined;
  }
}
