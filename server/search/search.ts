import type { z } from 'zod';
import { memorySearch, searchFields } from '../contracts/memory.js';
import { AppError } from '../contracts/errors.js';
import { showPath, showTree } from '../contracts/paths.js';
import { canAccess } from '../access/predicate.js';
import type { OpContext } from '../context.js';
import { implement } from '../operations.js';
import { iso, toTemporal } from '../memory/row.js';
import { checkFilters, decodeCursor, encodeCursor, searchFilters } from './filters.js';

type Output = z.input<typeof memorySearch.output>;
type Field = (typeof searchFields)[number];

export interface Hit {
  id: string; tree: string; name: string | null; score: number | null; snippet: string;
  content?: string; meta?: Record<string, unknown>; t_start?: Date | null; t_end?: Date | null;
  created_by?: string | null; created_at?: Date; updated_at?: Date; version?: number;
}

export const HEADLINE = 'MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … ", StartSel=**, StopSel=**';

export const search = implement(memorySearch, async (input, ctx) => {
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
});

async function keywordSearch(input: z.output<typeof memorySearch.input>, ctx: OpContext, query: string): Promise<Output> {
  const sql = ctx.sql;
  const limit = input.limit ?? 10;
  const offset = Number(decodeCursor(input.cursor, 'o') ?? 0);
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
  return page(rows, limit, input.fields, 'keyword', () => encodeCursor('o', offset + limit));
}

async function listRecent(input: z.output<typeof memorySearch.input>, ctx: OpContext): Promise<Output> {
  const sql = ctx.sql;
  const limit = input.limit ?? 10;
  const after = decodeCursor(input.cursor, 'l');
  await checkFilters(sql, input);
  const filters = searchFilters(sql, input);
  const rows = await sql<Hit[]>`
    select m.id, m.tree::text as tree, m.name, null::float8 as score, left(m.content, 240) as snippet ${extraColumns(ctx, input.fields)}
    from core.memory m
    where m.space_id = ${ctx.space.id} ${after ? sql`and m.id < ${after}::uuid` : sql``} ${filters}
      and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}
    order by m.id desc limit ${limit + 1}`;
  return page(rows, limit, input.fields, 'list', (last) => encodeCursor('l', last.id));
}

export function extraColumns(ctx: OpContext, fields: readonly Field[] | undefined) {
  const sql = ctx.sql;
  const f = new Set(fields ?? []);
  return sql`
    ${f.has('content') ? sql`, m.content` : sql``}
    ${f.has('meta') ? sql`, m.meta` : sql``}
    ${f.has('temporal') ? sql`, lower(m.temporal) as t_start, upper(m.temporal) as t_end` : sql``}
    ${f.has('createdBy') ? sql`, m.created_by` : sql``}
    ${f.has('createdAt') ? sql`, m.created_at` : sql``}
    ${f.has('updatedAt') ? sql`, m.updated_at` : sql``}
    ${f.has('version') ? sql`, m.version` : sql``}`;
}

export function page(
  rows: Hit[], limit: number, fields: readonly Field[] | undefined, mode: Output['mode'],
  next: (last: Hit) => string, extra: Partial<Output> = {},
): Output {
  const f = new Set(fields ?? []);
  const results = rows.slice(0, limit).map((r) => ({
    id: r.id,
    path: showPath(r.tree, r.name),
    tree: showTree(r.tree),
    name: r.name,
    score: r.score,
    snippet: r.snippet,
    ...(f.has('content') ? { content: r.content! } : {}),
    ...(f.has('meta') ? { meta: r.meta! } : {}),
    ...(f.has('temporal') ? { temporal: toTemporal(r.t_start ?? null, r.t_end ?? null) } : {}),
    ...(f.has('createdBy') ? { createdBy: r.created_by ?? null } : {}),
    ...(f.has('createdAt') ? { createdAt: iso(r.created_at!) } : {}),
    ...(f.has('updatedAt') ? { updatedAt: iso(r.updated_at!) } : {}),
    ...(f.has('version') ? { version: r.version! } : {}),
  }));
  return { mode, results, nextCursor: rows.length > limit ? next(rows[limit - 1]!) : null, ...extra };
}
