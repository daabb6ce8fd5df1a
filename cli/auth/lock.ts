import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from '../util/paths.js';

const STALE_MS = 30_000;
const WAIT_MS = 60_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Runs fn while holding an exclusive cross-process lock (an O_EXCL lock file under the config dir).
 * A lock left by a dead process, or older than 30 s, is broken.
 */
export async function withFileLock<T>(name: string, fn: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const dir = join(configDir(env), 'locks');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, createHash('sha256').update(name).digest('hex').slice(0, 24) + '.lock');
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        const holder = Number(readFileSync(file, 'utf8'));
        const age = Date.now() - statSync(file).mtimeMs;
        if ((holder && !alive(holder)) || age > STALE_MS) rmSync(file, { force: true });
      } catch { /* released meanwhile */ }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${file}; if no other \`me\` is running, delete it`);
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}
