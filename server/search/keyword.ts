import type { z } from 'zod';
import type { memorySearch } from '../../contracts/memory.js';
import { canAccess } from '../access/predicate.js';
import type { OpContext } from '../context.js';
import { makeCursor, readCursor } from '../util/cursor.js';
import { checkFilters, listing, searchFilters } from './filters.js';
import { extraColumns, HEADLINE, page, type Hit, type Output } from './results.js';

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
  const rows = await sql<Hit[]>`
    with q as (select websearch_to_tsquery('english', ${query}) as q),
    ranked as (
      select m.id, ts_rank_cd(m.fts, q.q, 32) as score
      from core.memory m, q
      where m.space_id = ${ctx.space.id} and m.fts @@ q.q ${filters}
        ${subtree && input.tree ? sql`and m.tree_ancestors @> array[hashtextextended(${input.tree}, 0)]` : sql``}
        ${subtree ? sql`and (m.tree || ''::ltree) <@ ${input.tree!}::ltree` : sql``}
        and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}
      order by score desc, m.id desc
      limit ${limit + 1} offset ${offset})
    select m.id, m.tree::text as tree, m.name, r.score::float8 as score,
      ts_headline('english', m.content, q.q, ${HEADLINE}) as snippet ${extraColumns(ctx, input.fields)}
    from ranked r join core.memory m on m.id = r.id, q
    order by r.score desc, m.id desc`;
  return page(rows, limit, input.fields, 'keyword', () => makeCursor('o', offset + limit, listing(input, ctx)));
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
