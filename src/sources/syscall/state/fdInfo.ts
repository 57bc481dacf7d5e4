// What Vigil knows about one open file descriptor: its kind and name, and for
// sockets the connection tuple. Filled from /proc at start and from
// open/socket/connect/accept events afterwards.

/** fd.type values, as Falco names them. */
export type FdType =
  | 'file' | 'directory' | 'ipv4' | 'ipv6' | 'unix' | 'pipe' | 'event' | 'signalfd' | 'eventpoll'
  | 'inotify' | 'timerfd' | 'netlink' | 'bpf' | 'memfd' | 'pidfd' | 'io_uring' | 'userfaultfd' | 'unknown';

/** fd.typechar, after Falco's one-letter codes. */
export const FD_TYPECHAR: Readonly<Record<FdType, string>> = {
  file: 'f', directory: 'd', ipv4: '4', ipv6: '6', unix: 'u', pipe: 'p', event: 'e', signalfd: 's',
  eventpoll: 'l', inotify: 'i', timerfd: 't', netlink: 'n', bpf: 'b', memfd: 'm', pidfd: 'P',
  io_uring: 'r', userfaultfd: 'u', unknown: 'o',
};

/** the overlay layer of an open's file, in its openFlags (fd.is_upper_layer, fd.is_lower_layer) */
export const PPM_FD_UPPER_LAYER = 1 << 15;
export const PPM_FD_LOWER_LAYER = 1 << 16;

export class FdInfo {
  /**
   * open flags as Falco's PPM_O_* bits, when the fd came from an open; the
   * exit adds PPM_O_F_CREATED and the overlay layer (PPM_FD_UPPER_LAYER,
   * PPM_FD_LOWER_LAYER) of the file it opened
   */
  openFlags = 0;
  /**
   * fd.dev and fd.ino: for files, the device (kernel encoding) and inode the
   * open exit sent, or stat gave for files open before the capture; for pipes
   * and sockets seen in /proc, the kernel object's inode; 0 when unknown, as in libs
   */
  dev = 0;
  inode = 0;
  /** sockets: 'tcp', 'udp', 'raw', 'icmp' (fd.l4proto) */
  l4proto: string | undefined;
  /** client and server ends, for ipv4/ipv6 sockets */
  cip: string | undefined;
  cport: number | undefined;
  sip: string | undefined;
  sport: number | undefined;
  /** this side accepted the connection (or listens): the server end is local */
  isServer = false;
  /**
   * fd.connected, as libs tracks it: set by a connect that succeeded or is in
   * progress, an accept, or a successful send/receive on an IP socket
   */
  connected = false;
  /** fd.nameraw: the path as the open named it, before it was made absolute ('' for other fds) */
  nameRaw = '';
  /**
   * the name a failed open would have given its fd: libs keeps no fd then,
   * so fd.filename has none and fd.directory cuts even a directory's name
   */
  failedOpen = false;
  /** unix/pipe: the kernel object id (inode or socket address) */
  ino = '';
  /** name's directory part, made once per name: several rules read fd.directory of one open */
  private dirOf: string | undefined;
  private dir = '';

  constructor(
    public type: FdType,
    /** fd.name: the absolute path, `cip:cport->sip:sport`, a unix path, or `pipe:[ino]` */
    public name: string,
  ) {}

  /**
   * fd.directory as libs cuts it: the name up to its last `/` (`/` for a
   * top-level name); a name ending in `/` (a failed open's raw path) whole
   */
  directory(): string {
    const name = this.name;
    if (this.dirOf !== name) {
      const slash = name.lastIndexOf('/');
      this.dir = slash <= 0 ? '/' : slash === name.length - 1 ? name : name.slice(0, slash);
      this.dirOf = name;
    }
    return this.dir;
  }

  /** fd.filename as libs cuts it: the name after its last `/`; a name ending in `/` whole */
  fileName(): string {
    const name = this.name;
    const slash = name.lastIndexOf('/');
    return slash < 0 ? '/' : slash === name.length - 1 ? name : name.slice(slash + 1);
  }

  /** the IPv4/IPv6 tuple as Falco writes it in fd.name */
  setTuple(cip: string, cport: number, sip: string, sport: number, isServer: boolean): void {
    this.cip = cip;
    this.cport = cport;
    this.sip = sip;
    this.sport = sport;
    this.isServer = isServer;
    const c = this.type === 'ipv6' ? `[${cip}]` : cip;
    const s = this.type === 'ipv6' ? `[${sip}]` : sip;
    this.name = `${c}:${cport}->${s}:${sport}`;
  }

  /** a listening socket as libs names one read from /proc or a capture's fd list: `ip:port`, IPv6 without brackets */
  setListening(ip: string, port: number): void {
    this.setTuple(this.type === 'ipv6' ? '::' : '0.0.0.0', 0, ip, port, true);
    this.name = `${ip}:${port}`;
  }

  clone(): FdInfo {
    const f = new FdInfo(this.type, this.name);
    f.openFlags = this.openFlags;
    f.dev = this.dev;
    f.inode = this.inode;
    f.l4proto = this.l4proto;
    f.cip = this.cip;
    f.cport = this.cport;
    f.sip = this.sip;
    f.sport = this.sport;
    f.isServer = this.isServer;
    f.connected = this.connected;
    f.nameRaw = this.nameRaw;
    f.ino = this.ino;
    return f;
  }
}
