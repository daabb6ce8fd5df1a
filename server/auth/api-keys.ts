import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Caller, Rule, Services } from '../context.js';

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

/** Drops a key from this server's cache only (a revocation goes through invalidate(), which tells every server). */
export function forgetApiKey(svc: Pick<Services, 'caches'>, keyId: string) {
  svc.caches.apiKeys.deleteWhere((caller) => caller.keyId === keyId);
}

/** The caller behind an API key, or null when the key is malformed, unknown, wrong, or expired. */
export async function verifyApiKey(svc: Pick<Services, 'sql' | 'caches'>, token: string): Promise<Caller | null> {
  const { sql, caches } = svc;
  // One-shot hash (no Hash stream object): this runs on every request.
  const cacheKey = hash('sha256', token, 'base64');
  const hit = caches.apiKeys.get(cacheKey);
  if (hit) {
    caches.keyUsage.add(hit.keyId!);
    return hit;
  }
  const now = Date.now();
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
  caches.apiKeys.set(cacheKey, caller, row.expires_at?.getTime());
  caches.keyUsage.add(row.id);
  return caller;
}

/** Writes last_used_at for keys used since the last call (at most once per key per minute). */
export async function flushKeyUsage(svc: Pick<Services, 'sql' | 'caches'>) {
  const { sql, caches } = svc;
  if (caches.keyUsage.size === 0) return;
  const ids = [...caches.keyUsage];
  caches.keyUsage.clear();
  await sql`update core.api_key set last_used_at = now()
    where id = any(${ids}::uuid[]) and (last_used_at is null or last_used_at < now() - interval '1 minute')`;
}
