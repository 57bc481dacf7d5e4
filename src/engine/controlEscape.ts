// Field values are written into alert text, which is read line by line (a
// terminal, a log file, syslog, a program's stdin). A value holding a newline
// could print a line that looks like a separate alert (a file named
// "x\n12:00:00.000000000: Critical Fake"), and an escape sequence could
// rewrite a terminal. So control characters in values are written as escapes:
// \n \r \t, and \xHH for the other C0 and C1 controls and DEL, \uHHHH for the
// Unicode line and paragraph separators. Printable text, UTF-8 included, is
// left as it is.

const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

function escapeOne(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** `s` with its control characters escaped; `s` itself when it has none (the usual case costs one scan). */
export function escapeControls(s: string): string {
  return CONTROL.test(s) ? s.replace(CONTROLS, escapeOne) : s;
}
