import { embeddingsStatus } from '../../contracts/embeddings.js';
import { canAccess } from '../access/predicate.js';
import { implement } from '../operations.js';
import { iso } from '../memory/row.js';

export const status = implement(embeddingsStatus, async (_input, ctx) => {
  const sql = ctx.sql;
  const provider = ctx.embeddings;
  // Only memories the caller can read count: errors may quote them, counts reveal activity.
  const [row] = await sql<{ pending: number; failing: number; last_error: string | null; last_error_at: Date | null }[]>`
    select count(*)::int as pending, count(q.last_error)::int as failing,
      (array_agg(q.last_error order by q.last_error_at desc) filter (where q.last_error is not null))[1] as last_error,
      max(q.last_error_at) as last_error_at
    from core.embedding_queue q join core.memory m on m.id = q.memory_id
    where q.space_id = ${ctx.space.id} and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
  return {
    available: Boolean(provider && ctx.features.vector),
    configured: provider !== null,
    vector: ctx.features.vector,
    model: provider?.model ?? null,
    dimensions: provider?.dimensions ?? null,
    pending: row?.pending ?? 0,
    failing: row?.failing ?? 0,
    lastError: row?.last_error ?? null,
    lastErrorAt: row?.last_error_at ? iso(row.last_error_at) : null,
  };
});
