import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from '../db/connect.js';
import { mintApiKey } from './auth/api-keys.js';
import { createSpace } from './spaces/handlers.js';

export interface Bootstrap { principalId: string; key: string; keyFile: string }

/**
 * On an empty database: an owner, a default space and an API key, so a new user can use the API at
 * once. The key is returned (printed once by the caller) and saved 0600 in the data dir. Runs in
 * one transaction under an advisory lock: two servers starting together bootstrap once.
 */
export async function bootstrapIfEmpty(sql: Sql, dataDir: string): Promise<Bootstrap | null> {
  const result = await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${0x6d655f62})`;
    const [any] = await tx`select 1 from core.principal limit 1`;
    if (any) return null;
    const [owner] = await tx<{ id: string }[]>`insert into core.principal (kind, name) values ('user', 'owner') returning id`;
    await createSpace(tx, owner!.id, 'default', 'Default', true);
    const minted = mintApiKey();
    await tx`insert into core.api_key (lookup_id, secret_hash, principal_id, name, created_by)
      values (${minted.lookupId}, ${minted.secretHash}, ${owner!.id}, 'bootstrap', ${owner!.id})`;
    return { principalId: owner!.id, key: minted.key };
  });
  if (!result) return null;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keyFile = join(dataDir, 'bootstrap-api-key');
  writeFileSync(keyFile, result.key + '\n', { mode: 0o600 });
  return { ...(result as { principalId: string; key: string }), keyFile };
}
