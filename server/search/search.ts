import type { z } from 'zod';
import type { OpContext } from '../context.js';
import { memorySearch } from '../../contracts/memory.js';
import { AppError } from '../../contracts/errors.js';
import { implement } from '../operations.js';
import { keywordSearch, listRecent } from './keyword.js';

export const search = implement(memorySearch, async (input, ctx) => {
  try {
    return await run(input, ctx);
  } catch (err) {
    throw whereError(err, input.where) ?? err;
  }
});

/**
 * A data error Postgres raised while evaluating `where` on a row (e.g. a bad datetime template):
 * the caller's JSONPath is at fault, so it is reported as such, with Postgres' reason.
 */
function whereError(err: unknown, where: string | undefined): AppError | null {
  const e = err as { code?: unknown; message?: unknown };
  if (where === undefined || !e || typeof e.code !== 'string' || !e.code.startsWith('22')) return null;
  return new AppError('VALIDATION_ERROR', `where: "${where}" failed on a memory's meta: ${String(e.message)}`, { reason: 'INVALID_JSONPATH' });
}

async function run(input: z.output<typeof memorySearch.input>, ctx: OpContext) {
  const mode = input.mode ?? 'auto';
  const query = input.query?.trim() ?? '';
  if ((mode === 'semantic' || mode === 'hybrid') && !query) {
    throw new AppError('VALIDATION_ERROR', `query: ${mode} search needs a query`);
  }
  if (mode === 'semantic' || mode === 'hybrid') {
    const { semanticSearch } = await import('./semantic.js');
    return semanticSearch(input, ctx, mode);
  }
  if (mode === 'auto' && query && ctx.embeddings && ctx.features.vector) {
    const { semanticSearch } = await import('./semantic.js');
    try {
      return await semanticSearch(input, ctx, 'hybrid');
    } catch (err) {
      // auto degrades to keyword when the provider cannot embed the query (the result says mode "keyword").
      if (!(err instanceof AppError && err.code === 'UNAVAILABLE')) throw err;
      ctx.log.warn('hybrid search unavailable, answered by keyword', { error: err.message });
    }
  }
  return query ? keywordSearch(input, ctx, query) : listRecent(input, ctx);
}
