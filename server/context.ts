import type { Database, Sql } from '../db/connect.js';
import type { Level } from '../contracts/define.js';
import type { Logger } from './util/log.js';
import type { TtlCache } from './util/ttl-cache.js';

/**
 * An access rule of a restricted credential (an API key's restriction, or the boundary of a connected
 * application): at most `level` on `tree` (ltree text, '' = root), in one space or all of them.
 * `space` is the slug, when known, for messages.
 */
export interface Rule { spaceId: string | null; tree: string; level: 1 | 2 | 3; space?: string }

/** Who is calling, as established by the credential. */
export interface Caller {
  principalId: string;
  kind: 'user' | 'service';
  name: string;
  email: string | null;
  credential: 'apiKey' | 'session' | 'oauth';
  keyId?: string;
  /** The OAuth client a token was issued to (`me-cli` for the CLI). */
  clientId?: string;
  /**
   * From a restricted key or a connection bound at consent: the caller can never exceed these
   * (intersected with grants). One enforcement path for both (server/access/predicate.ts).
   */
  restriction: Rule[] | null;
  /** From an OAuth token: its scopes. null = not scope-limited (sessions, API keys). */
  scopes: string[] | null;
  /** Space chosen at consent / by header, used when a call names none. */
  defaultSpace?: string;
}

export interface SpaceRef { id: string; slug: string; name: string; personal: boolean; role: 'member' | 'admin' }

/**
 * What one server instance remembers between requests (server/caches.ts). A change drops the
 * affected entries at once on this server and, through Postgres NOTIFY, on every other server on the
 * same database (server/invalidation.ts); a lost notification is bounded by the TTL.
 */
export interface Caches {
  /** Verified API keys, by the hash of the whole key. */
  apiKeys: TtlCache<Caller>;
  /** Space memberships, by principal and requested slug. Grants are never cached. */
  spaces: TtlCache<SpaceRef>;
  /** Key ids used since the last flush: last_used_at is written in batches, not per call. */
  keyUsage: Set<string>;
  /** Connected applications, by user and client id: still approved, and their space. */
  connections: TtlCache<Connection>;
  /** Verified cookie sessions, by the hash of the session token. */
  sessions: TtlCache<Caller>;
  /** Users known to be provisioned (principal, personal space): checked once per server. */
  provisioned: Set<string>;
  /** Embeddings of recent search queries (paging asks for the same one again). */
  queryEmbeddings: TtlCache<number[]>;
}

/**
 * A connected OAuth client as the edge needs it: still approved (or first-party), its space, and
 * its boundary (a restriction to that space's tree prefix at read or write) when it is bound.
 */
export interface Connection { approved: boolean; space: string | null; boundary: Rule | null }

/** Long-lived services the handlers use. */
export interface Services {
  db: Database;
  sql: Sql;
  log: Logger;
  /** Postgres capabilities found at boot. */
  features: { vector: boolean; bm25: boolean };
  embeddings: import('./embeddings/provider.js').EmbeddingProvider | null;
  caches: Caches;
}

/** Everything a handler gets besides its input. */
export interface OpContext extends Services {
  caller: Caller;
  /** Resolved for operations whose access is `space` / `spaceAdmin`. */
  space: SpaceRef;
  requestId: string;
}

export const levelNumber = (l: Level): 1 | 2 | 3 => (l === 'read' ? 1 : l === 'write' ? 2 : 3);
export const levelName = (n: number): Level => (n >= 3 ? 'owner' : n === 2 ? 'write' : 'read');
