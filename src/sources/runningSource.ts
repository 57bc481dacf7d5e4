// What live mode (live.ts) holds of each source it started: each source's
// start function (k8s_audit/startAudit.ts, syscall/startSyscall.ts) returns one.

export interface RunningSource {
  name: string;
  /** may finish later (the webserver waits for its evaluation workers) */
  stop(): void | Promise<void>;
  /** the rules were reloaded (the Agent has the new engine): adapt to what the new rules need */
  rulesChanged?(): void;
}

export type Log = (msg: string) => void;
