// The agent's metrics in one prom-client registry, read when scraped (GET
// /metrics) or sampled (metrics.interval): events per source, kernel events
// and drops per category, per-rule matches, alerts per priority, what each
// output channel delivered and dropped, the probe's ring, state tables, and
// the process's CPU, memory and uptime. Which groups are there follows
// Falco's metrics.*_enabled keys. Names are Vigil's (vigil_*): they measure
// Vigil, and Falco's falcosecurity_* series keep their own meaning.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Agent } from '../agent';
import { priorityName } from '../engine/priority';
import type { ProbeStats } from '../sources/syscall/probe';
import { ENGINE_VERSION } from '../engine/engine';
import { VERSION } from '../version';
import type { MetricsConfig } from './metricsConfig';

export interface SyscallMetricsSource {
  stats(): ProbeStats & { batches: number; bytes: number };
  ringBytes: number;
  threads(): number;
  procReads(): number;
}

const CATEGORIES = ['process', 'file', 'net', 'other'] as const;

export class AgentMetrics {
  readonly registry = new Registry();
  private syscall: SyscallMetricsSource | undefined;
  private readonly startedMs = Date.now();
  private lastCpu = process.cpuUsage();
  private lastCpuAt = process.hrtime.bigint();

  constructor(
    private readonly agent: Agent,
    readonly cfg: MetricsConfig,
  ) {
    const r = [this.registry];
    const self = this;
    new Gauge({
      name: 'vigil_version_info',
      help: 'Vigil and rules engine versions (value 1)',
      labelNames: ['vigil_version', 'engine_version'],
      registers: r,
      collect() {
        this.set({ vigil_version: VERSION, engine_version: ENGINE_VERSION }, 1);
      },
    });
    new Counter({
      name: 'vigil_events_total',
      help: 'events evaluated against the rules, per source',
      labelNames: ['source'],
      registers: r,
      collect() {
        this.reset();
        for (const [source, n] of agent.eventCounts()) this.inc({ source }, n);
      },
    });
    new Counter({
      name: 'vigil_alerts_total',
      help: 'alerts raised, per priority',
      labelNames: ['priority'],
      registers: r,
      collect() {
        this.reset();
        agent.counts.priorities.forEach((n, p) => {
          if (n > 0) this.inc({ priority: priorityName(p) }, n);
        });
      },
    });
    if (cfg.rulesCounters) {
      new Counter({
        name: 'vigil_rules_matches_total',
        help: 'alerts raised per rule',
        labelNames: ['rule_name', 'priority', 'source'],
        registers: r,
        collect() {
          this.reset();
          const byName = new Map(agent.engine.rules.map((x) => [x.name, x]));
          for (const [rule, n] of agent.counts.rules) {
            const def = byName.get(rule);
            this.inc({ rule_name: rule, priority: def ? priorityName(def.priority) : '', source: def?.source ?? '' }, n);
          }
        },
      });
    }
    new Counter({
      name: 'vigil_output_alerts_total',
      help: 'alerts per output channel and outcome: sent, or dropped because the queue was full, delivery failed, or they were still queued at exit',
      labelNames: ['channel', 'outcome'],
      registers: r,
      collect() {
        this.reset();
        for (const c of agent.outputs.channels) {
          this.inc({ channel: c.name, outcome: 'sent' }, c.stats.sent);
          for (const [why, n] of Object.entries(c.stats.dropped)) this.inc({ channel: c.name, outcome: why }, n);
        }
      },
    });
    new Counter({
      name: 'vigil_output_timeouts_total',
      help: 'deliveries that took longer than output_timeout, per channel',
      labelNames: ['channel'],
      registers: r,
      collect() {
        this.reset();
        for (const c of agent.outputs.channels) this.inc({ channel: c.name }, c.stats.timeouts);
      },
    });
    new Gauge({
      name: 'vigil_output_queued',
      help: 'alerts waiting in each output channel',
      labelNames: ['channel'],
      registers: r,
      collect() {
        for (const c of agent.outputs.channels) this.set({ channel: c.name }, c.queued);
      },
    });
    if (cfg.kernelEventCounters) {
      new Counter({
        name: 'vigil_kernel_events_total',
        help: 'syscall events the probe saw, per category',
        labelNames: ['category'],
        registers: r,
        collect() {
          this.reset();
          const st = self.syscall?.stats();
          if (st) for (const c of CATEGORIES) this.inc({ category: c }, st[c].seen);
        },
      });
      new Counter({
        name: 'vigil_kernel_drops_total',
        help: 'syscall events the probe dropped (ring buffer full), per category',
        labelNames: ['category'],
        registers: r,
        collect() {
          this.reset();
          const st = self.syscall?.stats();
          if (st) for (const c of CATEGORIES) this.inc({ category: c }, st[c].dropped);
        },
      });
      new Gauge({
        name: 'vigil_ring_buffer_size_bytes',
        help: 'size of the probe ring buffer',
        registers: r,
        collect() {
          if (self.syscall) this.set(self.syscall.ringBytes);
        },
      });
      new Counter({
        name: 'vigil_ring_buffer_read_bytes_total',
        help: 'bytes of events read from the probe ring buffer',
        registers: r,
        collect() {
          this.reset();
          const st = self.syscall?.stats();
          if (st) this.inc(st.bytes);
        },
      });
    }
    if (cfg.stateCounters) {
      new Gauge({
        name: 'vigil_state_threads',
        help: 'threads in the syscall state table',
        registers: r,
        collect() {
          if (self.syscall) this.set(self.syscall.threads());
        },
      });
      new Counter({
        name: 'vigil_state_proc_reads_total',
        help: 'threads read back from /proc because an event named a thread the table lacked',
        registers: r,
        collect() {
          this.reset();
          if (self.syscall) this.inc(self.syscall.procReads());
        },
      });
      new Counter({
        name: 'vigil_rule_errors_total',
        help: 'rule conditions that failed on an event (taken as no match)',
        labelNames: ['rule_name'],
        registers: r,
        collect() {
          this.reset();
          for (const [rule, n] of agent.ruleErrors.byRule) this.inc({ rule_name: rule }, n);
        },
      });
    }
    if (cfg.resourceUtilization) {
      new Gauge({
        name: 'vigil_uptime_seconds',
        help: 'seconds since the agent started',
        registers: r,
        collect() {
          this.set((Date.now() - self.startedMs) / 1000);
        },
      });
      new Gauge({
        name: 'vigil_start_timestamp_seconds',
        help: 'when the agent started, seconds since the epoch',
        registers: r,
        collect() {
          this.set(self.startedMs / 1000);
        },
      });
      new Gauge({
        name: 'vigil_cpu_usage_ratio',
        help: 'CPU time used per wall-clock time since the previous reading (1 = one full CPU)',
        registers: r,
        collect() {
          this.set(self.cpuRatio());
        },
      });
      new Gauge({
        name: 'vigil_memory_rss_bytes',
        help: 'resident memory of the agent process',
        registers: r,
        collect() {
          this.set(process.memoryUsage.rss());
        },
      });
      new Gauge({
        name: 'vigil_open_fds',
        help: 'file descriptors the agent process holds',
        registers: r,
        collect() {
          try {
            this.set(fs.readdirSync('/proc/self/fd').length);
          } catch {
            // no procfs: the series is absent rather than wrong
          }
        },
      });
      new Gauge({
        name: 'vigil_host_num_cpus',
        help: 'online CPUs of the host',
        registers: r,
        collect() {
          this.set(os.availableParallelism());
        },
      });
    }
  }

  /** the syscall source registers itself once capturing */
  setSyscall(src: SyscallMetricsSource | undefined): void {
    this.syscall = src;
  }

  private cpuRatio(): number {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const wallUs = Number(now - this.lastCpuAt) / 1000;
    const usedUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system);
    this.lastCpu = cpu;
    this.lastCpuAt = now;
    return wallUs > 0 ? usedUs / wallUs : 0;
  }

  /** Prometheus text exposition */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** every series as `name{labels}` -> value, for the snapshot alert and file; zeros only with include_empty_values */
  async snapshot(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const m of await this.registry.getMetricsAsJSON()) {
      for (const v of m.values) {
        if (v.value === 0 && !this.cfg.includeEmptyValues) continue;
        const labels = Object.entries(v.labels ?? {})
          .map(([k, x]) => `${k}=${x}`)
          .join(',');
        out[labels ? `${m.name}{${labels}}` : m.name] = v.value;
      }
    }
    return out;
  }
}
