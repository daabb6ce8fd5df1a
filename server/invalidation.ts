import { z } from 'zod';
import type { Sql, TxSql } from '../db/connect.js';
import { dropCached, type CacheChange } from './caches.js';
import type { Services } from './context.js';

// Cross-process cache invalidation: every server on one Postgres (workers of one machine, replicas
// on several) keeps its own caches (server/caches.ts). A change drops the affected entries here at
// once and publishes a NOTIFY; every server LISTENs on one dedicated connection and drops them too,
// typically within milliseconds. A notification lost while the listener was down is covered twice:
// on reconnect each server drops everything, and entries never outlive CACHE_TTL_MS anyway.
// The embedded database is one process: nothing to tell, no listener.

export const INVALIDATION_CHANNEL = 'me_cache_invalidation';

const changeSchema: z.ZodType<CacheChange> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('apiKey'), keyId: z.string() }),
  z.object({ kind: z.literal('spaces') }),
  z.object({ kind: z.literal('connections') }),
  z.object({ kind: z.literal('sessions') }),
  z.object({ kind: z.literal('all') }),
]);

/**
 * Drops what `change` makes wrong on this server and tells the others. Pass the transaction that
 * made the change (`tx`) to publish on its commit; otherwise call it right after the change commits.
 */
export async function invalidate(svc: Pick<Services, 'db' | 'sql' | 'caches' | 'log'>, change: CacheChange, tx?: TxSql | Sql) {
  dropCached(svc.caches, change);
  if (svc.db.kind !== 'server') return;
  const publish = (tx ?? svc.sql)`select pg_notify(${INVALIDATION_CHANNEL}, ${JSON.stringify(change)})`;
  // Inside the change's transaction a failure must undo it; after the commit the change stands and
  // the other servers see it within the TTL.
  if (tx) await publish;
  else await publish.catch((e: unknown) => svc.log.warn('cache invalidation not published: other servers see the change within the cache TTL', { error: String(e), change: change.kind }));
}

/** Listens for other servers' changes; returns the function that stops listening. */
export async function listenForChanges(svc: Pick<Services, 'db' | 'sql' | 'caches' | 'log'>): Promise<() => Promise<void>> {
  if (svc.db.kind !== 'server') return async () => {};
  let connected = false;
  const { unlisten } = await svc.sql.listen(INVALIDATION_CHANNEL, (payload) => {
    let change: CacheChange = { kind: 'all' };
    try {
      change = changeSchema.parse(JSON.parse(payload));
    } catch {
      svc.log.warn('unreadable cache invalidation: dropping every cache', { payload: payload.slice(0, 200) });
    }
    dropCached(svc.caches, change);
  }, () => {
    // Called on the first LISTEN and again after every reconnect: what happened in between is unknown.
    if (connected) {
      dropCached(svc.caches, { kind: 'all' });
      svc.log.info('cache invalidation listener reconnected: caches dropped');
    }
    connected = true;
  });
  return async () => { await unlisten().catch(() => {}); };
}
