import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

// One process per embedded data dir: two PGlite instances on the same files corrupt it (seen:
// memory_pkey missing heap tuples, acknowledged writes gone after a restart). Node has no flock,
// so the lock is a file created with link() (atomic, fails if it exists) holding our pid; a lock
// whose pid is dead (or now belongs to a process started later: pid reuse) is stale and taken over.

export class DataDirBusyError extends Error {}

const held = new Set<string>();
process.once('exit', () => { for (const path of held) releaseSync(path); });

/** The lock file of a data dir: next to it, so it is never part of the database's own files. */
export const lockPathOf = (dataDir: string) => join(dirname(dataDir), `${basename(dataDir)}.lock`);

/** Takes the lock on dataDir or throws DataDirBusyError naming the pid that holds it. Returns the release. */
export function lockDataDir(dataDir: string): () => void {
  const path = lockPathOf(dataDir);
  if (held.has(path)) throw busy(process.pid, dataDir);
  const mine = JSON.stringify({ pid: process.pid, started: startTime(process.pid) }) + '\n';
  const tmp = `${path}.${process.pid}.tmp`;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(tmp, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
      }
      const owner = readOwner(path);
      if (owner && alive(owner)) throw busy(owner.pid, dataDir);
      // Stale (its process is gone): remove it and try again. Two starters racing over the same
      // stale lock is the one window left; link() still lets only one of them create the new file.
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  held.add(path);
  return () => { if (held.delete(path)) releaseSync(path); };
}

/** Throws DataDirBusyError if a live server holds dataDir; takes nothing (a cheap early check). */
export function assertDataDirFree(dataDir: string) {
  const owner = readOwner(lockPathOf(dataDir));
  if (owner && alive(owner)) throw busy(owner.pid, dataDir);
}

function busy(pid: number, dataDir: string) {
  return new DataDirBusyError(`another Memory Engine server (pid ${pid}) is using ${dataDir}: stop it first, or give this one another data dir (ME_DATA_DIR, or me serve --data-dir)`);
}

function releaseSync(path: string) {
  // Only our own lock: never remove one another process took over.
  if (readOwner(path)?.pid === process.pid) { try { unlinkSync(path); } catch { /* already gone */ } }
}

interface Owner { pid: number; started: string | null }

function readOwner(path: string): Owner | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<Owner>;
    return typeof v.pid === 'number' ? { pid: v.pid, started: typeof v.started === 'string' ? v.started : null } : null;
  } catch {
    return null; // unreadable or half-written: treat as stale
  }
}

/** Alive and the same process that wrote the lock (its start time matches where /proc tells it). */
function alive(owner: Owner): boolean {
  // Our own pid but not in `held`: a previous process that had this pid (containers reuse pid 1).
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const now = startTime(owner.pid);
  return !(owner.started && now && owner.started !== now);
}

/** The process's start time in clock ticks since boot (Linux /proc), or null where unavailable. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) may contain spaces, so count from its closing paren.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Is this process (as recorded by pid) gone? For directories we name after our pid. */
export function pidGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/**
 * Removes socket directories left in the temp dir by embedded servers killed before they could
 * clean up (kill -9): `me-pg-<pid>-*` of a dead pid, and the older unnamed `me-pg-XXXXXX` whose
 * socket no longer answers. Only this user's; a live server's are left alone. Runs in the background.
 */
export function removeStaleSocketDirs() {
  const dir = tmpdir();
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const name of names) {
    const path = join(dir, name);
    const withPid = /^me-pg-(\d+)-/.exec(name);
    if (!withPid && !/^me-pg-[A-Za-z0-9]{6}$/.test(name)) continue;
    try {
      const st = statSync(path);
      if (!st.isDirectory() || st.uid !== process.getuid?.()) continue; // not ours to remove
      if (withPid) {
        if (pidGone(Number(withPid[1]))) rmSync(path, { recursive: true, force: true });
      } else if (Date.now() - st.mtimeMs > 60_000) {
        const probe = connect(join(path, '.s.PGSQL.5432'));
        probe.once('connect', () => probe.destroy()); // a live server: leave it
        probe.once('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED' || err.code === 'ENOENT') rmSync(path, { recursive: true, force: true });
        });
      }
    } catch { /* raced with another cleaner */ }
  }
}
