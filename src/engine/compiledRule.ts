// A rule after loading: what it says, and its condition and output compiled.
import type { Predicate } from './check';
import type { FileLocation } from './errors';
import type { CompiledOutput } from './outputFormat';
import type { Priority } from './priority';

export interface CompiledRule<E = unknown> {
  name: string;
  desc: string;
  source: string;
  priority: Priority;
  tags: readonly string[];
  /** current state (after -D/-t/-T/enabled:) */
  enabled: boolean;
  /** as written (after append/override), without exceptions */
  condition: string;
  outputFormat: string;
  output: CompiledOutput<E>;
  evttypes: ReadonlySet<string> | 'all';
  /** where the rule is defined */
  location: FileLocation;
  /** `capture: true`: an alert starts (or extends) a capture file of the events that follow */
  capture: boolean;
  /** `capture_duration` in milliseconds; 0 means the configured capture.default_duration */
  captureDurationMs: number;
  evaluate: Predicate<E>;
  /** the evaluator a Ruleset uses: only asked about events whose type is in evttypes (compile.ts) */
  indexedEvaluate(): Predicate<E>;
}
