/**
 * A lock file holding its owner's pid, for "one writer per directory" and "one member per group" on a local disk.
 * A lock whose pid is dead (a crashed process) is taken over, so a crash never needs a manual clean-up.
 */
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

export interface LockHolder {
  pid: number;
  hostname: string;
  purpose: string;
  since: string;
}

export interface PidLock {
  readonly path: string;
  release(): Promise<void>;
}

export type LockResult = { ok: true; lock: PidLock } | { ok: false; holder: LockHolder };

/** Takes the lock at `path`, or says who holds it. */
export async function acquirePidLock(path: string, purpose: string): Promise<LockResult> {
  const me: LockHolder = { pid: process.pid, hostname: hostname(), purpose, since: new Date().toISOString() };
  const text = JSON.stringify(me);
  // Written whole under a temp name, then linked: the lock file is never seen half-written.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, path);
        return { ok: true, lock: { path, release: () => releaseIfOurs(path, text) } };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = await readFile(path, 'utf8').catch(() => null);
      if (current === null) continue; // released meanwhile
      const holder = parseHolder(current);
      if (holder && (holder.hostname !== me.hostname || isAlive(holder.pid))) return { ok: false, holder };
      // Stale (dead pid, or unreadable): remove it unless it changed since we read it. Two processes racing for
      // the same stale lock can both get here; the window is the time between the two reads.
      if ((await readFile(path, 'utf8').catch(() => null)) === current) await unlink(path).catch(() => {});
    }
    const current = await readFile(path, 'utf8').catch(() => '');
    return { ok: false, holder: parseHolder(current) ?? { pid: 0, hostname: '?', purpose: 'unknown', since: '?' } };
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** "process 123 on host (purpose, since ...)" for error messages. */
export function describeHolder(holder: LockHolder): string {
  return `process ${holder.pid} on ${holder.hostname} (${holder.purpose}, since ${holder.since})`;
}

async function releaseIfOurs(path: string, text: string): Promise<void> {
  const current = await readFile(path, 'utf8').catch(() => null);
  if (current === text) await unlink(path).catch(() => {});
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    return typeof v.pid === 'number' ? { pid: v.pid, hostname: String(v.hostname), purpose: String(v.purpose), since: String(v.since) } : null;
  } catch {
    return null;
  }
}

/** Whether a process with this pid runs on this host (EPERM: it does, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
