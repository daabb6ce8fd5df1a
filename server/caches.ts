import type { Caches } from './context.js';
import { TtlCache } from './util/ttl-cache.js';

/** How long a verified key or membership is trusted before it is looked up again. */
export const CACHE_TTL_MS = 5_000;

/** A server instance's own caches (see Caches). */
export const createCaches = (): Caches => ({
  apiKeys: new TtlCache(CACHE_TTL_MS),
  spaces: new TtlCache(CACHE_TTL_MS),
  keyUsage: new Set(),
  connections: new TtlCache(CACHE_TTL_MS),
  provisioned: new Set(),
  queryEmbeddings: new TtlCache(10 * 60_000, 256),
});
