import { AppError } from '../../contracts/errors.js';
import type { EmbeddingProvider } from './provider.js';

const CACHE_SIZE = 256;
const cache = new Map<string, number[]>();

/**
 * The embedding of a search query. Recent queries are cached (paging through results asks for the
 * same one again). A provider failure becomes UNAVAILABLE: the caller can still search by keyword.
 */
export async function embedQuery(provider: EmbeddingProvider, query: string): Promise<number[]> {
  const key = `${provider.model}\u0000${provider.dimensions}\u0000${query}`;
  const hit = cache.get(key);
  if (hit) {
    // Map keeps insertion order: re-inserting marks it most recently used.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  let vector: number[];
  try {
    [vector] = (await provider.embed([query], AbortSignal.timeout(15_000))) as [number[]];
  } catch (err) {
    throw new AppError('UNAVAILABLE', `could not embed the query: ${(err as Error).message}; keyword search (mode "keyword") works without the provider`);
  }
  cache.set(key, vector);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return vector;
}
