import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../util/paths.js';

// An import gives every memory its id before sending anything, so a retry after any failure (kill -9
// included) sends the same ids and the server stores each memory once (memory.batchCreate: an id
// that exists with identical content is left alone).
//  - An id in the input (an export) is kept.
//  - Otherwise the id is derived from the input: a uuidv7 whose 48-bit time is the moment this input
//    was first imported into this server and space, and whose other 74 bits come from a hash of the
//    target, the input's digest and the memory's position. That time is recorded under
//    ~/.cache/me/imports before the first request, so every re-run (interrupted or complete) of the
//    same input makes the same ids; a changed input is a new import with new ids.
//  - An input id that already belongs to another space (an export of space A imported into B) is
//    replaced, on the server's word (ID_TAKEN), by an id derived from it and the target, the same on
//    every run.

/** A uuidv7 with this millisecond time and the rest taken from `seed` (version 7, variant 10). */
export function uuidv7From(ms: number, seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const time = Math.max(0, Math.min(ms, 2 ** 48 - 1)).toString(16).padStart(12, '0');
  const variant = ((parseInt(h[3]!, 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${h.slice(0, 3)}-${variant}${h.slice(4, 7)}-${h.slice(7, 19)}`;
}

/** The millisecond time of a uuidv7. */
export const timeOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

interface Target { server: string; space?: string }
const sha = (...parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/**
 * The ids for an input: `inputIds[i]` where given, else derived (see above). `digest` identifies the
 * input's memories as they will be sent. Records the first-import time unless `dryRun`.
 */
export function assignIds(target: Target, digest: string, inputIds: (string | undefined)[], opts: { dryRun?: boolean; now?: number } = {}) {
  const key = sha(target.server, target.space ?? '', digest);
  const dir = join(cacheDir(), 'imports');
  const file = join(dir, `${key.slice(0, 32)}.json`);
  let first: number | undefined;
  try {
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { firstImport?: unknown };
    if (typeof recorded.firstImport === 'number' && Number.isSafeInteger(recorded.firstImport)) first = recorded.firstImport;
  } catch {
    // Never imported (or the record was removed): this run is the first.
  }
  if (first === undefined) {
    first = opts.now ?? Date.now();
    if (!opts.dryRun) {
      // Written whole (a rename) before any request, so a kill at any moment leaves the old record or the new one.
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(`${file}.tmp`, JSON.stringify({ firstImport: first, at: new Date(first).toISOString() }) + '\n', { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    }
  }
  const ms = first;
  return {
    file,
    ids: inputIds.map((id, i) => id ?? uuidv7From(ms, `${key}/${i}`)),
    /** The id used instead of an input id that belongs to another space. */
    renumber: (id: string) => uuidv7From(timeOf(id), `${sha(target.server, target.space ?? '')}/${id}`),
  };
}

/** A digest of the memories as sent (without ids), in order. */
export function digestOf(memories: unknown[]): string {
  const h = createHash('sha256');
  for (const m of memories) h.update(JSON.stringify(m)).update('\n');
  return h.digest('hex');
}
