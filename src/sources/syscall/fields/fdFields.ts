// fd.*: the file descriptor the event is about (the one it opened, closed,
// connected...), from the fd table. Socket ends: the client is the side that
// connected, the server the side that accepted; local and remote depend on
// which side this process is.
import type { FieldDef, Value } from '../../../engine/source';
import { FD_TYPECHAR, type FdInfo, PPM_FD_LOWER_LAYER, PPM_FD_UPPER_LAYER } from '../state/fdInfo';
import type { SyscallEvent } from '../state/syscallEvent';
import { plain } from './fieldKinds';

type E = SyscallEvent;

// a local copy: read per event, and a module's exports may be accessors
const TYPECHAR = FD_TYPECHAR;

const isNet = (f: FdInfo | undefined): f is FdInfo => f !== undefined && (f.type === 'ipv4' || f.type === 'ipv6') && f.cip !== undefined;

/** a file or directory fd with a path name; any fd an open named (`<UNKNOWN>x`, a failed open's ''), as libs cuts those too */
function isPathFd(f: FdInfo | undefined): f is FdInfo {
  return f !== undefined && (f.type === 'file' || f.type === 'directory' || f.type === 'memfd') && (f.name.startsWith('/') || f.nameRaw !== '' || f.failedOpen);
}

const net = (get: (f: FdInfo) => Value) => (e: E): Value => (isNet(e.fd) ? get(e.fd) : undefined);
const NA = (): Value => undefined;

// fd.dev is the kernel's new_encode_dev (also what stat gives for majors below 4096): minor in bits 0-7 and 20-31, major in 8-19

export const fdFields: FieldDef<E>[] = [
  plain('fd.num', 'int', 'the number of the file descriptor', (e) => (e.fdNum === -1 && !e.fd ? undefined : e.fdNum)),
  // a failed open has no fd in libs, only a name
  plain('fd.type', 'string', 'the kind of fd: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, timerfd, netlink, memfd, bpf... (none for a failed open)', (e) =>
    (e.fd?.failedOpen ? undefined : e.fd?.type)),
  plain('fd.typechar', 'string', 'the kind of fd as one letter: f file, d directory, 4 ipv4, 6 ipv6, u unix, p pipe, e event, ...', (e) => (e.fd ? TYPECHAR[e.fd.type] : undefined)),
  plain('fd.name', 'string', 'the full name: a file path, a connection (cip:cport->sip:sport), a unix socket path', (e) => e.fd?.name),
  plain('fd.nameraw', 'string', "the path as the open named it, before it was made absolute (repeated '/' folded); '' for fds not opened by path",
    (e) => (e.fd ? e.fd.nameRaw.replace(/\/{2,}/g, '/') : undefined)),
  plain('fd.connected', 'bool', 'true when the socket is connected: a connect succeeded or is under way, it was accepted, or it sent or received', (e) =>
    e.fd && e.fd.type !== 'file' && e.fd.type !== 'directory' ? e.fd.connected : e.fd ? false : undefined),
  plain('fd.name_changed', 'bool', "true when this event changed the fd's name (a connect, an accept, a datagram's peer)", (e) => (e.fd ? e.fdNameChanged : undefined)),
  // as libs: a directory fd is its own fd.directory and has no fd.filename
  plain('fd.directory', 'string', 'the directory of a file fd; for a directory fd, its own name', (e) =>
    (isPathFd(e.fd) ? (e.fd.type === 'directory' && !e.fd.failedOpen ? e.fd.name : e.fd.directory()) : undefined)),
  plain('fd.filename', 'string', 'the file name of a file fd, without its directory (none for a directory or a failed open)', (e) =>
    (isPathFd(e.fd) && e.fd.type === 'file' && !e.fd.failedOpen ? e.fd.fileName() : undefined)),
  plain('fd.ip', 'ipaddr', 'the remote IP address of a socket (Falco matches client or server)', net((f) => (f.isServer ? f.cip : f.sip))),
  plain('fd.cip', 'ipaddr', 'the client IP address', net((f) => f.cip)),
  plain('fd.sip', 'ipaddr', 'the server IP address', net((f) => f.sip)),
  plain('fd.lip', 'ipaddr', 'the local IP address', net((f) => (f.isServer ? f.sip : f.cip))),
  plain('fd.rip', 'ipaddr', 'the remote IP address', net((f) => (f.isServer ? f.cip : f.sip))),
  plain('fd.port', 'port', 'the remote port of a socket (Falco matches client or server)', net((f) => (f.isServer ? f.cport : f.sport))),
  plain('fd.cport', 'port', 'the client port', net((f) => f.cport)),
  plain('fd.sport', 'port', 'the server port', net((f) => f.sport)),
  plain('fd.lport', 'port', 'the local port', net((f) => (f.isServer ? f.sport : f.cport))),
  plain('fd.rport', 'port', 'the remote port', net((f) => (f.isServer ? f.cport : f.sport))),
  plain('fd.l4proto', 'string', 'the transport protocol of a socket: tcp, udp, icmp, raw', (e) => e.fd?.l4proto),
  plain('fd.sockfamily', 'string', 'the socket family: ip or unix', (e) => {
    const t = e.fd?.type;
    return t === 'ipv4' || t === 'ipv6' ? 'ip' : t === 'unix' ? 'unix' : undefined;
  }),
  plain('fd.is_server', 'bool', 'true when this process is the server end of the socket', (e) => (e.fd && e.fd.type !== 'file' ? e.fd.isServer : undefined)),
  plain('fd.net', 'ipnet', 'the remote IP address, matched against networks (fd.net = 10.0.0.0/8)', net((f) => (f.isServer ? f.cip : f.sip))),
  plain('fd.cnet', 'ipnet', 'the client IP address, matched against networks', net((f) => f.cip)),
  plain('fd.snet', 'ipnet', 'the server IP address, matched against networks', net((f) => f.sip)),
  plain('fd.lnet', 'ipnet', 'the local IP address, matched against networks', net((f) => (f.isServer ? f.sip : f.cip))),
  plain('fd.rnet', 'ipnet', 'the remote IP address, matched against networks', net((f) => (f.isServer ? f.cip : f.sip))),
  plain('fd.cip.name', 'string', 'the domain name of the client IP; <NA>: no DNS tracking', NA),
  plain('fd.sip.name', 'string', 'the domain name of the server IP; <NA>: no DNS tracking', NA),
  plain('fd.lip.name', 'string', 'the domain name of the local IP; <NA>: no DNS tracking', NA),
  plain('fd.rip.name', 'string', 'the domain name of the remote IP; <NA>: no DNS tracking', NA),
  plain('fd.dev', 'int', 'the device number (kernel encoding) of the file an fd refers to, from its open or, for fds open before the capture, from stat (Falco prints it in hex); 0 when unknown', (e) => e.fd?.dev),
  plain('fd.dev.major', 'int', 'the major number of fd.dev', (e) => (e.fd ? (e.fd.dev & 0xfff00) >>> 8 : undefined)),
  plain('fd.dev.minor', 'int', 'the minor number of fd.dev', (e) => (e.fd ? (e.fd.dev & 0xff) | ((e.fd.dev >>> 12) & 0xfff00) : undefined)),
  plain('fd.ino', 'int', 'the inode number of the file (or pipe, socket) an fd refers to; 0 when unknown', (e) => e.fd?.inode),
  plain('fd.is_upper_layer', 'bool', "true when the fd's file is in the upper (writable) layer of an overlay filesystem, as its open saw it", (e) => (e.fd ? (e.fd.openFlags & PPM_FD_UPPER_LAYER) !== 0 : undefined)),
  plain('fd.is_lower_layer', 'bool', "true when the fd's file is only in a lower (image) layer of an overlay filesystem, as its open saw it", (e) => (e.fd ? (e.fd.openFlags & PPM_FD_LOWER_LAYER) !== 0 : undefined)),
];
