import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import type { Sql } from './connect.js';

const dir = join(packageRoot, 'db', 'migrations');
// Any constant works; it only has to be the same for every server sharing the database.
const LOCK_KEY = 0x6d655f6d; // "me_m"

interface SqlFile { name: string; version: number; sql: string; checksum: string }

function readFolder(folder: string): SqlFile[] {
  const path = join(dir, folder);
  return readdirSync(path)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(path, name), 'utf8');
      return { name, version: Number.parseInt(name, 10), sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export const incremental = readFolder('incremental');
/** The schema version this code knows: the highest incremental migration. */
export const SCHEMA_VERSION = incremental.at(-1)?.version ?? 0;

export class SchemaTooNewError extends Error {}

/**
 * Brings the database to SCHEMA_VERSION: prelude (extensions, functions tables need), then every
 * pending incremental file in order (each in its own transaction, recorded in core.migration),
 * then the idempotent files (functions, triggers), re-applied at every boot. A session-level
 * advisory lock makes concurrent boots migrate once; the others wait, then find nothing to do.
 */
export async function migrate(sql: Sql, log: (msg: string) => void = () => {}): Promise<{ applied: string[] }> {
  const conn = await sql.reserve();
  const applied: string[] = [];
  try {
    await conn`select pg_advisory_lock(${LOCK_KEY})`;
    // A migration may take long on a big database; cutting it off halfway helps nobody.
    await conn`select set_config('statement_timeout', '0', false)`;
    for (const f of readFolder('prelude')) await conn.unsafe(f.sql);
    await conn.unsafe(`
      create schema if not exists core;
      create table if not exists core.migration (
        version integer primary key, name text not null, checksum text not null,
        applied_at timestamptz not null default now())`);
    const done = await conn<{ version: number; name: string; checksum: string }[]>`
      select version, name, checksum from core.migration order by version`;
    const newest = done.at(-1)?.version ?? 0;
    if (newest > SCHEMA_VERSION) {
      throw new SchemaTooNewError(
        `the database schema is at version ${newest}, newer than this server knows (${SCHEMA_VERSION}): ` +
          'upgrade memory-engine before starting it against this database');
    }
    for (const row of done) {
      const file = incremental.find((f) => f.version === row.version);
      if (file && file.checksum !== row.checksum) {
        throw new Error(`migration ${row.name} was changed after it was applied; incremental migrations are immutable, add a new one instead`);
      }
    }
    for (const file of incremental.filter((f) => f.version > newest)) {
      await conn.unsafe('begin');
      try {
        await conn.unsafe(file.sql);
        await conn`insert into core.migration (version, name, checksum) values (${file.version}, ${file.name}, ${file.checksum})`;
        await conn.unsafe('commit');
      } catch (err) {
        await conn.unsafe('rollback');
        throw new Error(`migration ${file.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file.name);
      log(`applied migration ${file.name}`);
    }
    for (const f of readFolder('idempotent')) await conn.unsafe(f.sql);
  } finally {
    await conn`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    await conn`reset statement_timeout`.catch(() => {});
    conn.release();
  }
  return { applied };
}
