import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanupExpiredAuth } from '../../server/auth/cleanup.js';
import { resolveAuthSecret } from '../../server/auth/secret.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { mintUser } from './users.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

describe('expired auth state is swept', () => {
  it('deletes expired sessions, verifications and tokens, keeps live ones', async () => {
    const sql = s.services.sql;
    const { id: userId } = await mintUser(sql, { name: 'Sweep', email: 'sweep@example.test', verified: true });
    for (const [token, when] of [['old', "now() - interval '1 minute'"], ['live', "now() + interval '1 hour'"]] as const) {
      await sql.unsafe(`insert into auth.sessions (token, user_id, expires_at, updated_at) values ($1, $2, ${when}, now())`, [`session-${token}`, userId]);
      await sql.unsafe(`insert into auth.verifications (identifier, value, expires_at) values ($1, 'v', ${when})`, [`verification-${token}`]);
      await sql.unsafe(`insert into auth.oauth_access_token (token, client_id, user_id, scopes, expires_at, created_at)
        values ($1, 'me-cli', $2, '[]', ${when}, now())`, [`access-${token}`, userId]);
      await sql.unsafe(`insert into auth.oauth_refresh_token (token, client_id, user_id, scopes, expires_at, created_at)
        values ($1, 'me-cli', $2, '[]', ${when}, now())`, [`refresh-${token}`, userId]);
    }
    const counts = await cleanupExpiredAuth(sql);
    assert.ok(counts.sessions! >= 1 && counts.verifications! >= 1 && counts.access_tokens! >= 1 && counts.refresh_tokens! >= 1, JSON.stringify(counts));
    const left = await sql<{ t: string }[]>`
      select token as t from auth.sessions where user_id = ${userId}
      union all select identifier from auth.verifications where identifier like 'verification-%'
      union all select token from auth.oauth_access_token where user_id = ${userId} and token like 'access-%'
      union all select token from auth.oauth_refresh_token where user_id = ${userId}
      order by 1`;
    assert.deepEqual(left.map((r) => r.t), ['access-live', 'refresh-live', 'session-live', 'verification-live']);
    assert.deepEqual(Object.values(await cleanupExpiredAuth(sql)).filter((n) => n > 0), [], 'a second sweep finds nothing');
  });
});

describe('the auth secret', () => {
  it('is generated once into the data dir (0600) and reused; a configured one wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-secret-'));
    try {
      const first = resolveAuthSecret(undefined, dir);
      assert.ok(first.length >= 32);
      assert.equal(statSync(join(dir, 'auth-secret')).mode & 0o777, 0o600);
      assert.equal(resolveAuthSecret(undefined, dir), first);
      assert.equal(readFileSync(join(dir, 'auth-secret'), 'utf8').trim(), first);
      assert.equal(resolveAuthSecret('c'.repeat(40), dir), 'c'.repeat(40));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
