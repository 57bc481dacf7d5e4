// Syscalls the probe can report, by name, with their x86_64 numbers (the
// index of the probe's enabled-syscall map; bpf/syscall_specs.h uses the same
// numbers). Process exit comes from the sched_process_exit hook and has a slot
// of its own past the syscall range.

export const SYSCALL_SLOTS = 512;
export const PROCEXIT_SLOT = 511;

export const SYSCALL_NUMBERS: Readonly<Record<string, number>> = {
  open: 2,
  close: 3,
  pipe: 22,
  dup: 32,
  dup2: 33,
  socket: 41,
  connect: 42,
  accept: 43,
  sendto: 44,
  recvfrom: 45,
  bind: 49,
  listen: 50,
  clone: 56,
  fork: 57,
  vfork: 58,
  execve: 59,
  kill: 62,
  chdir: 80,
  fchdir: 81,
  rename: 82,
  mkdir: 83,
  rmdir: 84,
  creat: 85,
  link: 86,
  unlink: 87,
  symlink: 88,
  chmod: 90,
  fchmod: 91,
  chown: 92,
  fchown: 93,
  lchown: 94,
  ptrace: 101,
  setuid: 105,
  setgid: 106,
  setresuid: 117,
  setresgid: 119,
  capset: 126,
  prctl: 157,
  mount: 165,
  umount2: 166,
  init_module: 175,
  tkill: 200,
  tgkill: 234,
  openat: 257,
  mkdirat: 258,
  fchownat: 260,
  unlinkat: 263,
  renameat: 264,
  linkat: 265,
  symlinkat: 266,
  fchmodat: 268,
  unshare: 272,
  accept4: 288,
  dup3: 292,
  pipe2: 293,
  setns: 308,
  finit_module: 313,
  renameat2: 316,
  memfd_create: 319,
  bpf: 321,
  execveat: 322,
  clone3: 435,
  openat2: 437,
};

/**
 * The kernel's own name of a syscall where it differs from libs' (umount2 is
 * SYSCALL_DEFINE2(umount, ...)): the name in its per-syscall tracepoints.
 */
const KERNEL_NAMES: Readonly<Record<string, string>> = { umount2: 'umount' };

/** The name of each syscall's exit tracepoint (syscalls/sys_exit_<name>), by number; '' for numbers the probe does not report. */
export const EXIT_TRACEPOINT_NAMES: readonly string[] = (() => {
  const out = new Array<string>(SYSCALL_SLOTS).fill('');
  for (const [name, nr] of Object.entries(SYSCALL_NUMBERS)) out[nr] = KERNEL_NAMES[name] ?? name;
  return out;
})();

/** Names accepted in a syscall set: every syscall above, plus `procexit`. */
export const CAPTURABLE: readonly string[] = [...Object.keys(SYSCALL_NUMBERS), 'procexit'].sort();

/**
 * The enabled-slot bytes for a set of names. Throws on an unknown name,
 * listing the ones that exist.
 */
export function slotsFor(names: Iterable<string> | 'all'): Uint8Array {
  const slots = new Uint8Array(SYSCALL_SLOTS);
  const list = names === 'all' ? CAPTURABLE : names;
  for (const name of list) {
    if (name === 'procexit') slots[PROCEXIT_SLOT] = 1;
    else if (Object.prototype.hasOwnProperty.call(SYSCALL_NUMBERS, name)) slots[SYSCALL_NUMBERS[name]] = 1;
    else throw new Error(`unknown syscall '${name}': capturable are ${CAPTURABLE.join(', ')}`);
  }
  return slots;
}
