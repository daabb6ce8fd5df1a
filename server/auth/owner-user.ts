import type { Sql } from '../../db/connect.js';

/** The reserved address given to the local owner when it has none (.invalid never resolves). */
export const OWNER_EMAIL = 'owner@memory-engine.invalid';

/**
 * The bootstrap owner (the first user principal) as a better-auth user with the same id, so a
 * session for it acts as that principal and its memories carry over. Returns its id, or null on
 * a database with no user yet.
 */
export async function ensureOwnerUser(sql: Sql): Promise<string | null> {
  const [owner] = await sql<{ id: string; name: string; email: string | null }[]>`
    select id, name, email from core.principal where kind = 'user' order by created_at, id limit 1`;
  if (!owner) return null;
  await sql`insert into auth.users (id, name, email, email_verified)
    values (${owner.id}, ${owner.name}, ${owner.email?.toLowerCase() ?? OWNER_EMAIL}, true)
    on conflict do nothing`;
  return owner.id;
}
