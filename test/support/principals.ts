import { mintApiKey } from '../../server/auth/api-keys.js';
import type { TestServer } from './server.js';

/** A principal with an API key, made directly in the database (key management itself needs sign-in). */
export async function principalWithKey(
  s: TestServer,
  name: string,
  opts: { kind?: 'user' | 'service'; restriction?: { space: string | null; tree: string; level: number }[]; expiresAt?: Date } = {},
) {
  const sql = s.services.sql;
  const kind = opts.kind ?? 'user';
  const owner = kind === 'service' ? (await sql<{ id: string }[]>`select id from core.principal where name = 'owner'`)[0]!.id : null;
  const [p] = await sql<{ id: string }[]>`insert into core.principal (kind, name, owner_id) values (${kind}, ${name}, ${owner}) returning id`;
  const key = await keyFor(s, p!.id, opts);
  return { id: p!.id, key };
}

export async function keyFor(s: TestServer, principalId: string, opts: { restriction?: unknown[]; expiresAt?: Date } = {}) {
  const sql = s.services.sql;
  const minted = mintApiKey();
  await sql`insert into core.api_key (lookup_id, secret_hash, principal_id, name, restriction, expires_at)
    values (${minted.lookupId}, ${minted.secretHash}, ${principalId}, 'test', ${opts.restriction ? sql.json(opts.restriction as never) : null}, ${opts.expiresAt ?? null})`;
  return minted.key;
}
