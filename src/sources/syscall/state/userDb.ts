// User and group names from the host's /etc/passwd and /etc/group, read once
// and read again at most every few seconds when an unknown id turns up (a user
// added after start). Container users are looked up on the host, not inside
// the container's image.
import fs from 'node:fs';

export interface UserEntry {
  name: string;
  home: string;
  shell: string;
}

const RELOAD_NS = 5_000_000_000n;

/** passwd lines: `name:x:uid:gid:gecos:home:shell` */
export function parsePasswd(text: string): Map<number, UserEntry> {
  const out = new Map<number, UserEntry>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7) continue;
    const uid = Number(f[2]);
    if (!Number.isInteger(uid) || out.has(uid)) continue;
    out.set(uid, { name: f[0], home: f[5], shell: f[6] });
  }
  return out;
}

/** group lines: `name:x:gid:members` */
export function parseGroup(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid) || out.has(gid)) continue;
    out.set(gid, f[0]);
  }
  return out;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export class UserDb {
  private users: Map<number, UserEntry> | undefined;
  private groups: Map<number, string> | undefined;
  private loadedAt = 0n;
  /** the tables came from elsewhere (a capture's user list): never read the host's files */
  private fixed = false;

  /** A database of only the users and groups added to it (a capture replayed on another machine). */
  static empty(): UserDb {
    const db = new UserDb();
    db.users = new Map();
    db.groups = new Map();
    db.fixed = true;
    return db;
  }

  addUser(uid: number, entry: UserEntry): void {
    if (!this.users) this.load();
    this.users!.set(uid, entry);
  }

  addGroup(gid: number, name: string): void {
    if (!this.groups) this.load();
    this.groups!.set(gid, name);
  }

  constructor(
    private readonly passwdFile = '/etc/passwd',
    private readonly groupFile = '/etc/group',
  ) {}

  user(uid: number): UserEntry | undefined {
    if (!this.users) this.load();
    const u = this.users!.get(uid);
    if (u !== undefined || !this.mayReload()) return u;
    this.load();
    return this.users!.get(uid);
  }

  groupName(gid: number): string | undefined {
    if (!this.groups) this.load();
    const g = this.groups!.get(gid);
    if (g !== undefined || !this.mayReload()) return g;
    this.load();
    return this.groups!.get(gid);
  }

  /** every user known now (the writer's user list) */
  userEntries(): IterableIterator<[number, UserEntry]> {
    if (!this.users) this.load();
    return this.users!.entries();
  }

  groupEntries(): IterableIterator<[number, string]> {
    if (!this.groups) this.load();
    return this.groups!.entries();
  }

  private mayReload(): boolean {
    return !this.fixed && process.hrtime.bigint() - this.loadedAt > RELOAD_NS;
  }

  private load(): void {
    this.users = parsePasswd(readOr(this.passwdFile));
    this.groups = parseGroup(readOr(this.groupFile));
    this.loadedAt = process.hrtime.bigint();
  }
}
