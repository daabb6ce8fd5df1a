import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../util/paths.js';

/**
 * Remembers which items of an import reached the server, so a re-run after a failure skips them
 * (unnamed memories would otherwise be stored twice). Keyed by server, space, source and tree prefix;
 * items are identified by a hash of their content, so fixing a bad item and re-running still skips
 * the good ones. Removed when the import completes.
 */
export function checkpoint(key: { server: string; space?: string; source: string; tree?: string }) {
  const id = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
  const dir = join(cacheDir(), 'imports');
  const file = join(dir, `${id}.txt`);
  let done: Set<string>;
  try {
    done = new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
  } catch {
    done = new Set();
  }
  const hash = (item: unknown) => createHash('sha256').update(JSON.stringify(item)).digest('base64url').slice(0, 22);
  return {
    file,
    hash,
    /** How many items a previous, interrupted run already imported. */
    has: (h: string) => done.has(h),
    size: () => done.size,
    record(hashes: string[]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      appendFileSync(file, hashes.join('\n') + '\n', { mode: 0o600 });
      for (const h of hashes) done.add(h);
    },
    clear: () => rmSync(file, { force: true }),
  };
}
