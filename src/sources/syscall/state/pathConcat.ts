// Paths made absolute and cleaned the way libsinsp does it for fd.name,
// proc.cwd and proc.exepath, so that rules written for Falco see the same
// strings. The rules (current falcosecurity/libs, sinsp_utils::concatenate_paths):
//  - an absolute or empty path ignores the directory; a relative one is
//    appended to it as is (the directory is expected to end in `/` and is
//    never cleaned itself);
//  - in the appended path, `//` folds to `/`, `.` segments go, `..` removes the
//    segment before it (never the leading `/`, and it may eat into the
//    directory), and one trailing `/` goes unless the result is `/`;
//  - segments that only start with dots (`...`, `.hidden`, `x.`) are kept;
//  - directory and path longer than the capture format's path buffer give a
//    fixed placeholder instead.

/** SCAP_MAX_PATH_SIZE: the path buffer, terminating NUL included */
export const MAX_PATH_BYTES = 1024;
/** what libs names a path that does not fit MAX_PATH_BYTES */
export const PATH_TOO_LONG = '/DIR_TOO_LONG/FILENAME_TOO_LONG';
/** the directory libs resolves a relative openat against when its dirfd is not in the fd table */
export const UNKNOWN_DIR = '<UNKNOWN>';

const SLASH = 47;
const DOT = 46;

/** `dir` + `p`, cleaned as above; `dir` should end in `/` (see dirOf) */
export function concatPaths(dir: string, p: string): string {
  if (tooLong(dir, p)) return PATH_TOO_LONG;
  const relative = p.length > 0 && p.charCodeAt(0) !== SLASH;
  if (!relative && isClean(p)) return p;
  const base = relative ? dir : '';
  let out = base;
  let i = 0;
  const n = p.length;
  // a directory without its `/` (`<UNKNOWN>`): the path's first segment is glued on, not a segment of its own
  if (out.length > 0 && out.charCodeAt(out.length - 1) !== SLASH) {
    const j = segmentEnd(p, 0);
    out += p.slice(0, j);
    i = j;
  }
  while (i < n) {
    if (p.charCodeAt(i) === SLASH) {
      // once `..` has eaten a non-empty directory whole, the result stays relative
      if (out.length > 0 ? out.charCodeAt(out.length - 1) !== SLASH : base === '') out += '/';
      i++;
      continue;
    }
    const j = segmentEnd(p, i);
    if (j - i === 1 && p.charCodeAt(i) === DOT) {
      i = j + 1;
    } else if (j - i === 2 && p.charCodeAt(i) === DOT && p.charCodeAt(i + 1) === DOT) {
      out = parentOf(out);
      i = j + 1;
    } else {
      out += p.slice(i, j);
      i = j;
    }
  }
  return out.length > 1 && out.charCodeAt(out.length - 1) === SLASH ? out.slice(0, -1) : out;
}

/** an fd's name as the directory of a path relative to it: with its trailing `/` (none added to an empty name) */
export function dirOf(name: string): string {
  return name === '' || name.charCodeAt(name.length - 1) === SLASH ? name : `${name}/`;
}

/** the working directory after a chdir to `p` from `cwd`: cleaned, and kept with a trailing `/` as libs keeps it (proc.cwd shows it) */
export function cwdAfter(cwd: string, p: string): string {
  return dirOf(concatPaths(dirOf(cwd), p)) || '/';
}

function segmentEnd(p: string, from: number): number {
  const j = p.indexOf('/', from);
  return j < 0 ? p.length : j;
}

/** `out` (ending in `/` or empty) without its last segment; the leading `/` stays */
function parentOf(out: string): string {
  if (out.length <= 1) return out;
  return out.slice(0, out.lastIndexOf('/', out.length - 2) + 1);
}

/** an absolute path with nothing to clean: the common case, returned as is */
function isClean(p: string): boolean {
  if (p.length <= 1) return true;
  return p.charCodeAt(p.length - 1) !== SLASH && p.indexOf('//') < 0 && p.indexOf('/.') < 0;
}

/** libs counts bytes of both parts (the directory too when the path is absolute) plus the NUL */
function tooLong(dir: string, p: string): boolean {
  const units = dir.length + p.length;
  // a UTF-16 unit is at most 3 UTF-8 bytes: only near the limit count exactly
  if (units * 3 + 1 <= MAX_PATH_BYTES) return false;
  if (units + 1 > MAX_PATH_BYTES) return true;
  return Buffer.byteLength(dir) + Buffer.byteLength(p) + 1 > MAX_PATH_BYTES;
}
