import type { z } from 'zod';
import { SEARCH_RANK_LIMIT, type memorySearch } from '../../contracts/memory.js';
import { canAccess } from '../access/predicate.js';
import type { OpContext } from '../context.js';
import { makeCursor, readCursor } from '../util/cursor.js';
import { checkFilters, listing, searchFilters } from './filters.js';
import { extraColumns, HEADLINE, page, type Hit, type Output } from './results.js';

/**
 * A ranked search scores every memory it ranks, and each costs a heap visit and a ts_rank_cd: a
 * single common word over a broad subtree matched ~2,000-6,600 of 100k memories in the bench, and
 * those queries made the p95. Ranking at most SEARCH_RANK_LIMIT matches — the first found, in
 * storage order — bounds that cost; a query with fewer matches is ranked exactly as before, and one
 * with more says so (`truncated`), so the caller can narrow it. What is left of a broad query's cost
 * is the GIN bitmap (built whole before the LIMIT stops anything: ~1-4.5 ms for the broadest) plus
 * ~2-3.5 µs per candidate. Search SQL p95 at 100k, interleaved (bench/README.md → "Broad searches"):
 * 500 → 3.89 ms on Postgres 15 (p50 1.01), 5.69 ms embedded (p50 1.56); 250 → 3.00 / 4.32 ms.
 * With 250 the bench's RPC p95/p50 was 2.15× embedded and 2.24× on Postgres 15 (target 2.5×; 500
 * gave 2.50× / 2.95×); it truncates 106 of the bench's 400 queries (500: 78).
 */
export async function keywordSearch(input: z.output<typeof memorySearch.input>, ctx: OpContext, query: string): Promise<Output> {
  const sql = ctx.sql;
  const limit = input.limit ?? 10;
  const offset = Number(readCursor(input.cursor, 'o', listing(input, ctx)) ?? 0);
  await checkFilters(sql, input);
  // A subtree is matched in the full-text GIN index through the hashes of each memory's ancestor
  // paths (migration 0005), then checked exactly. `m.tree || ''` (the same path) keeps the planner
  // from ANDing the GiST tree index into the bitmap, which measured slower (see bench/README.md).
  const subtree = input.tree !== undefined && !input.exactTree;
  const filters = searchFilters(sql, subtree ? { ...input, tree: undefined } : input);
  // Ranked among at most SEARCH_RANK_LIMIT matches (see above): `k` numbers them in the order found,
  // and each is scored as it is found (carrying its tsvector to a later step copied it once more).
  const rows = await sql<(Hit & { more: boolean })[]>`
    with q as (select websearch_to_tsquery('english', ${query}) as q),
    candidates as (
      select m.id, ts_rank_cd(m.fts, q.q, 32) as score, row_number() over () as k
      from core.memory m, q
      where m.space_id = ${ctx.space.id} and m.fts @@ q.q ${filters}
        ${subtree && input.tree ? sql`and m.tree_ancestors @> array[hashtextextended(${input.tree}, 0)]` : sql``}
        ${subtree ? sql`and (m.tree || ''::ltree) <@ ${input.tree!}::ltree` : sql``}
        and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}
      limit ${SEARCH_RANK_LIMIT + 1}),
    ranked as (
      select c.id, c.score from candidates c
      where c.k <= ${SEARCH_RANK_LIMIT}
      order by c.score desc, c.id desc
      limit ${limit + 1} offset ${offset})
    select m.id, m.tree::text as tree, m.name, r.score::float8 as score,
      ts_headline('english', m.content, q.q, ${HEADLINE}) as snippet ${extraColumns(ctx, input.fields)},
      (select count(*) from candidates) > ${SEARCH_RANK_LIMIT} as more
    from ranked r join core.memory m on m.id = r.id, q
    order by r.score desc, m.id desc`;
  return page(rows, limit, input.fields, 'keyword', () => makeCursor('o', offset + limit, listing(input, ctx)), rows[0]?.more ? { truncated: true } : {});
}

export async function listRecent(input: z.output<typeof memorySearch.input>, ctx: OpContext): Promise<Output> {
  const sql = ctx.sql;
  const limit = input.limit ?? 10;
  const after = readCursor(input.cursor, 'l', listing(input, ctx));
  await checkFilters(sql, input);
  const filters = searchFilters(sql, input);
  const rows = await sql<Hit[]>`
    select m.id, m.tree::text as tree, m.name, null::float8 as score, left(m.content, 240) as snippet ${extraColumns(ctx, input.fields)}
    from core.memory m
    where m.space_id = ${ctx.space.id} ${after ? sql`and m.id < ${after}::uuid` : sql``} ${filters}
      and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}
    order by m.id desc limit ${limit + 1}`;
  return page(rows, limit, input.fields, 'list', (last) => makeCursor('l', last.id, listing(input, ctx)));
}
