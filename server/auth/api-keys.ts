import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from '../../db/connect.js';
import type { Caller, Rule } from '../context.js';

// me.<lookup-id>.<secret>: the lookup id finds the row (indexed), the secret is compared by its
// sha256. Only the hash is stored; the key is shown once.
const KEY_RE = /^me\.([A-Za-z0-9]{12})\.([A-Za-z0-9_-]{43})$/;

export const looksLikeApiKey = (token: string) => token.startsWith('me.');

export function mintApiKey() {
  const lookupId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { key: `me.${lookupId}.${secret}`, lookupId, secretHash: sha256(secret) };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest();

interface KeyRow {
  id: string; principal_id: string; secret_hash: Buffer; restriction: { space: string | null; tree: string; level: number }[] | null;
  expires_at: Date | null; kind: 'user' | 'service'; name: string; email: string | null;
}

// Verified keys are cached for a few seconds (by the hash of the whole key) so the hot path does
// not pay a lookup per request; revocation on this server drops the entry at once.
const TTL_MS = 5_000;
const verified = new Map<string, { at: number; caller: Caller; expiresAt: number | null }>();
/** Key ids used since the last flush: last_used_at is written in batches, not per call. */
const used = new Set<string>();

export function forgetApiKey(keyId: string) {
  for (const [k, v] of verified) if (v.caller.keyId === keyId) verified.delete(k);
}

/** The caller behind an API key, or null when the key is malformed, unknown, wrong, or expired. */
export async function verifyApiKey(sql: Sql, token: string): Promise<Caller | null> {
  const cacheKey = sha256(token).toString('base64');
  const hit = verified.get(cacheKey);
  const now = Date.now();
  if (hit && now - hit.at < TTL_MS && (hit.expiresAt === null || hit.expiresAt > now)) {
    used.add(hit.caller.keyId!);
    return hit.caller;
  }
  const m = KEY_RE.exec(token);
  if (!m) return null;
  const [row] = await sql<KeyRow[]>`select k.id, k.principal_id, k.secret_hash, k.restriction, k.expires_at, p.kind, p.name, p.email
    from core.api_key k join core.principal p on p.id = k.principal_id where k.lookup_id = ${m[1]!}`;
  if (!row) return null;
  const given = sha256(m[2]!);
  if (given.length !== row.secret_hash.length || !timingSafeEqual(given, row.secret_hash)) return null;
  if (row.expires_at && row.expires_at.getTime() <= now) return null;
  const caller: Caller = {
    principalId: row.principal_id,
    kind: row.kind,
    name: row.name,
    email: row.email,
    credential: 'apiKey',
    keyId: row.id,
    restriction: row.restriction?.map((r): Rule => ({ spaceId: r.space, tree: r.tree, level: r.level as 1 | 2 | 3 })) ?? null,
    scopes: null,
  };
  if (verified.size > 10_000) verified.clear();
  verified.set(cacheKey, { at: now, caller, expiresAt: row.expires_at?.getTime() ?? null });
  used.add(row.id);
  return caller;
}

/** Writes last_used_at for keys used since the last call (at most once per key per minute). */
export async function flushKeyUsage(sql: Sql) {
  if (used.size === 0) return;
  const ids = [...used];
  used.clear();
  await sql`update core.api_key set last_used_at = now()
    where id = any(${ids}::uuid[]) and (last_used_at is null or last_used_at < now() - interval '1 minute')`;
}
