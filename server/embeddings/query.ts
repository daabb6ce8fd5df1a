import { AppError } from '../../contracts/errors.js';
import type { Services } from '../context.js';

/**
 * The embedding of a search query. Recent queries are cached (paging through results asks for the
 * same one again). A provider failure becomes UNAVAILABLE: the caller can still search by keyword.
 */
export async function embedQuery(svc: Pick<Services, 'embeddings' | 'caches'>, query: string): Promise<number[]> {
  const provider = svc.embeddings!;
  const key = `${provider.model}\u0000${provider.dimensions}\u0000${query}`;
  const hit = svc.caches.queryEmbeddings.get(key);
  if (hit) return hit;
  let vector: number[];
  try {
    [vector] = (await provider.embed([query], AbortSignal.timeout(15_000))) as [number[]];
  } catch (err) {
    throw new AppError('UNAVAILABLE', `could not embed the query: ${(err as Error).message}; keyword search (mode "keyword") works without the provider`);
  }
  svc.caches.queryEmbeddings.set(key, vector);
  return vector;
}
