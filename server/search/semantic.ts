import type { z } from 'zod';
import type { memorySearch } from '../../contracts/memory.js';
import { AppError } from '../../contracts/errors.js';
import { canAccess } from '../access/predicate.js';
import type { OpContext } from '../context.js';
import { embedQuery } from '../embeddings/query.js';
import { makeCursor, readCursor } from '../util/cursor.js';
import { checkFilters, listing, searchFilters } from './filters.js';
import { extraColumns, HEADLINE, page, type Hit } from './results.js';

type Input = z.output<typeof memorySearch.input>;
type Output = z.input<typeof memorySearch.output>;

/** Reciprocal rank fusion constant: a result at rank r in an arm scores weight / (RRF_K + r). */
export const RRF_K = 60;
const DEFAULT_CANDIDATES = 100;

/**
 * Semantic (pgvector cosine) and hybrid (reciprocal rank fusion of keyword and semantic) search,
 * with the same filters, access predicate and result shape as keyword search.
 *  - semantic score: cosine similarity clamped to [0,1]; memories with no similarity are left out.
 *  - hybrid score: the fused RRF score divided by its maximum (ranked first by every arm = 1).
 * Memories still waiting for their embedding are reported as `embeddingsPending`: keyword search
 * finds them already, semantic search once the worker has embedded them.
 */
export async function semanticSearch(input: Input, ctx: OpContext, mode: 'semantic' | 'hybrid'): Promise<Output> {
  if (!ctx.features.vector) {
    throw new AppError('UNAVAILABLE', `${mode} search needs the pgvector extension in Postgres (install pgvector, e.g. the postgresql-NN-pgvector package, or run on the embedded database); keyword search works without it`);
  }
  if (!ctx.embeddings) {
    throw new AppError('UNAVAILABLE', `${mode} search needs an embedding provider: set ME_EMBEDDING_URL, ME_EMBEDDING_MODEL and ME_EMBEDDING_DIMENSIONS (see README); keyword search works without it`);
  }
  const query = input.query?.trim() ?? '';
  const weights = { keyword: input.weights?.keyword ?? 1, semantic: mode === 'semantic' ? 1 : (input.weights?.semantic ?? 1) };
  if (mode === 'hybrid' && weights.keyword === 0 && weights.semantic === 0) {
    throw new AppError('VALIDATION_ERROR', 'weights: at least one of keyword and semantic must be above 0');
  }
  const limit = input.limit ?? 10;
  const offset = Number(readCursor(input.cursor, 'o', listing(input, ctx)) ?? 0);
  await checkFilters(ctx.sql, input);
  // The provider call happens before any transaction: the embedded database has one connection.
  const vector = JSON.stringify(await embedQuery(ctx, query));
  const rows = await ctx.sql.begin(async (tx) => {
    // With filters, let the HNSW scan continue past its first candidates until enough rows match
    // (strict order, so pages neither repeat nor skip a result).
    await tx`select set_config('hnsw.iterative_scan', 'strict_order', true)`;
    return tx<Hit[]>`${mode === 'semantic'
      ? semanticQuery(ctx, input, query, vector, limit, offset)
      : hybridQuery(ctx, input, query, vector, limit, offset, weights)}`;
  }) as Hit[];
  const embeddingsPending = await pendingCount(ctx);
  return page(rows, limit, input.fields, mode, () => makeCursor('o', offset + limit, listing(input, ctx)), { embeddingsPending });
}

/** The rows a caller may read in the space that match the filters (alias `m`). */
function visible(ctx: OpContext, input: Input) {
  const sql = ctx.sql;
  return sql`m.space_id = ${ctx.space.id} ${searchFilters(sql, input)}
    and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
}

/** Highlights any query word the text contains (semantic hits need not contain them all). */
function snippet(ctx: OpContext, query: string) {
  const sql = ctx.sql;
  return sql`ts_headline('english', m.content, replace(plainto_tsquery('english', ${query})::text, '&', '|')::tsquery, ${HEADLINE}) as snippet`;
}

/**
 * Nearest embeddings first. Keep it this plain (no condition on the distance) or the planner
 * stops using the HNSW index; callers drop rows with no similarity (distance ≥ 1) after the limit,
 * where they can only be the tail.
 */
function nearest(ctx: OpContext, input: Input, vector: string) {
  const sql = ctx.sql;
  return sql`select m.id, (m.embedding <=> ${vector}::vector) as d
    from core.memory m
    where ${visible(ctx, input)} and m.embedding is not null
    order by m.embedding <=> ${vector}::vector`;
}

function semanticQuery(ctx: OpContext, input: Input, query: string, vector: string, limit: number, offset: number) {
  const sql = ctx.sql;
  return sql`
    with hits as (${nearest(ctx, input, vector)} limit ${limit + 1} offset ${offset})
    select m.id, m.tree::text as tree, m.name, least(1, greatest(0, 1 - h.d))::float8 as score,
      ${snippet(ctx, query)} ${extraColumns(ctx, input.fields)}
    from hits h join core.memory m on m.id = h.id
    where h.d < 1
    order by h.d, m.id desc`;
}

function hybridQuery(
  ctx: OpContext, input: Input, query: string, vector: string, limit: number, offset: number,
  weights: { keyword: number; semantic: number },
) {
  const sql = ctx.sql;
  const candidates = input.candidates ?? DEFAULT_CANDIDATES;
  // An arm with weight 0 is left out entirely: its candidates would only add zero-score rows.
  const keywordArm = weights.keyword > 0
    ? sql`select id, row_number() over (order by score desc, id desc) as r from (
        select m.id, ts_rank_cd(m.fts, websearch_to_tsquery('english', ${query}), 32) as score
        from core.memory m
        where ${visible(ctx, input)} and m.fts @@ websearch_to_tsquery('english', ${query})
        order by score desc, m.id desc limit ${candidates}) k`
    : sql`select null::uuid as id, null::bigint as r where false`;
  const semanticArm = weights.semantic > 0
    ? sql`select id, row_number() over (order by d, id desc) as r from (${nearest(ctx, input, vector)} limit ${candidates}) s where d < 1`
    : sql`select null::uuid as id, null::bigint as r where false`;
  const best = (weights.keyword + weights.semantic) / (RRF_K + 1);
  return sql`
    with kw as (${keywordArm}), sem as (${semanticArm}),
    fused as (
      select coalesce(kw.id, sem.id) as id,
        (coalesce(${weights.keyword}::float8 / (${RRF_K} + kw.r), 0) + coalesce(${weights.semantic}::float8 / (${RRF_K} + sem.r), 0)) / ${best}::float8 as score
      from kw full join sem on kw.id = sem.id
      order by score desc, id desc
      limit ${limit + 1} offset ${offset})
    select m.id, m.tree::text as tree, m.name, least(1, f.score)::float8 as score,
      ${snippet(ctx, query)} ${extraColumns(ctx, input.fields)}
    from fused f join core.memory m on m.id = f.id
    order by f.score desc, m.id desc`;
}

/** Memories in the space the caller can read whose embedding is missing or out of date. */
async function pendingCount(ctx: OpContext): Promise<number> {
  const sql = ctx.sql;
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n
    from core.embedding_queue q join core.memory m on m.id = q.memory_id
    where q.space_id = ${ctx.space.id} and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
  return row?.n ?? 0;
}
