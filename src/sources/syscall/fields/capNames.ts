// Capability sets as libs prints them (thread.cap_*): the names of the set
// bits, lowest first, separated by one space. Bit i is capability number i of
// linux/capability.h.
const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

// one thread's sets change rarely: remember the last texts made
const cache = new Map<bigint, string>();

/** The names of the capabilities set in `caps` (bits past the last known capability are not named, as in libs). */
export function capsText(caps: bigint): string {
  let text = cache.get(caps);
  if (text === undefined) {
    const names: string[] = [];
    for (let i = 0; i < CAPABILITIES.length; i++) if ((caps >> BigInt(i)) & 1n) names.push(CAPABILITIES[i]);
    text = names.join(' ');
    if (cache.size > 256) cache.clear();
    cache.set(caps, text);
  }
  return text;
}
