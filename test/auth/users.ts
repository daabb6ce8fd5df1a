import { randomBytes } from 'node:crypto';
import type { Sql } from '../../db/connect.js';
import { SCOPES } from '../../cli/auth/oauth.js';
import { hashToken } from '../../server/auth/hash.js';

/**
 * A signed-up user without the browser round trip: an auth.users row and an opaque OAuth access
 * token for the me-cli client (with the CLI's scopes), stored the way the authorization server stores it (hashed).
 * The browser flows themselves are covered in web.test.ts and oauth.test.ts.
 */
export async function mintUser(sql: Sql, user: { name: string; email: string; verified: boolean }, scopes = SCOPES.split(' ')) {
  const [row] = await sql<{ id: string }[]>`insert into auth.users (name, email, email_verified)
    values (${user.name}, ${user.email}, ${user.verified}) returning id`;
  const token = randomBytes(24).toString('base64url');
  await sql`insert into auth.oauth_access_token (token, client_id, user_id, scopes, expires_at, created_at)
    values (${hashToken(token)}, 'me-cli', ${row!.id}, ${sql.json(scopes)}, now() + interval '1 hour', now())`;
  return { id: row!.id, token };
}
