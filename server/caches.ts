import type { Caches } from './context.js';
import { TtlCache } from './util/ttl-cache.js';

/**
 * How long a verified key, membership, connection or session is trusted before it is looked up
 * again. Changes reach other servers on the same Postgres at once through LISTEN/NOTIFY
 * (server/invalidation.ts); this is the bound when a notification is lost.
 */
export const CACHE_TTL_MS = 5_000;

/** A server instance's own caches (see Caches). */
export const createCaches = (): Caches => ({
  apiKeys: new TtlCache(CACHE_TTL_MS),
  spaces: new TtlCache(CACHE_TTL_MS),
  keyUsage: new Set(),
  connections: new TtlCache(CACHE_TTL_MS),
  sessions: new TtlCache(CACHE_TTL_MS),
  provisioned: new Set(),
  queryEmbeddings: new TtlCache(10 * 60_000, 256),
});

/** A change that makes cached entries wrong, as one server tells the others (server/invalidation.ts). */
export type CacheChange =
  /** An API key was revoked or deleted. */
  | { kind: 'apiKey'; keyId: string }
  /** A membership, role or space changed (grants are never cached). */
  | { kind: 'spaces' }
  /** A connected application was approved, disconnected or rebound. */
  | { kind: 'connections' }
  /** Someone signed out, sessions were revoked, or a user was deleted. */
  | { kind: 'sessions' }
  /** Anything may have changed (the listener reconnected and may have missed notifications). */
  | { kind: 'all' };

/** Drops what a change makes wrong. Query embeddings are content-addressed: never stale. */
export function dropCached(caches: Caches, change: CacheChange) {
  switch (change.kind) {
    case 'apiKey': caches.apiKeys.deleteWhere((caller) => caller.keyId === change.keyId); break;
    case 'spaces': caches.spaces.clear(); break;
    case 'connections': caches.connections.clear(); break;
    case 'sessions': caches.sessions.clear(); break;
    case 'all':
      caches.apiKeys.clear();
      caches.spaces.clear();
      caches.connections.clear();
      caches.sessions.clear();
      caches.provisioned.clear();
  }
}
