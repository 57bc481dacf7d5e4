// Errors a user can cause. Inside the engine, parse and compile errors carry a
// position in the condition text (ConditionError); the rules loader adds the
// file, the item and the line and column in the file (RulesError).
import type { Pos } from './ast';

/** A syntax or compile error at a position inside one condition string. */
export class ConditionError extends Error {
  /** set when the error lies inside the body of this macro rather than the condition being compiled */
  macro?: string;
  constructor(
    message: string,
    readonly pos: Pos,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}

/** Where in a rules file something is: 1-based line and column. */
export interface FileLocation {
  file: string;
  line: number;
  col: number;
}

/**
 * An error or warning in a rules file, with the item it belongs to
 * (`rule 'Write below etc'`, `macro 'spawned_process'`) and the source line.
 */
export class RulesError extends Error {
  constructor(
    message: string,
    readonly location: FileLocation | undefined,
    /** e.g. `rule 'Write below etc'` */
    readonly item: string | undefined,
    /** the text of the line the location points into */
    readonly lineText: string | undefined,
  ) {
    super(message);
    this.name = 'RulesError';
  }

  /** `file:line:col: item: message`, then the line and a caret under the column. */
  format(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.col}: ` : '';
    const what = this.item ? `${this.item}: ` : '';
    let out = `${where}${what}${this.message}`;
    if (this.location && this.lineText !== undefined) {
      const text = this.lineText.replace(/\t/g, ' ');
      out += `\n    ${text}\n    ${' '.repeat(Math.max(0, this.location.col - 1))}^`;
    }
    return out;
  }
}
