// Falco's priorities, most to least severe. Rules files may write them in any
// case and `info` for `informational`.

export const PRIORITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'] as const;

/** 0 = emergency ... 7 = debug: lower is more severe. */
export type Priority = number;

const DISPLAY = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

/** The priority named by `text`, or undefined when it names none. */
export function parsePriority(text: string): Priority | undefined {
  const t = text.trim().toLowerCase();
  const i = PRIORITIES.indexOf((t === 'info' ? 'informational' : t) as (typeof PRIORITIES)[number]);
  return i < 0 ? undefined : i;
}

/** As Falco prints it in alerts: `Warning`, `Informational`. */
export function priorityName(p: Priority): string {
  return DISPLAY[p];
}
