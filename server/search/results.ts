// The shape every search mode answers with: the columns it selects and the page it returns.
import type { z } from 'zod';
import type { memorySearch, searchFields } from '../../contracts/memory.js';
import { showPath, showTree } from '../../contracts/paths.js';
import type { OpContext } from '../context.js';
import { iso, temporalColumns, toTemporal } from '../memory/row.js';

export type Output = z.input<typeof memorySearch.output>;
type Field = (typeof searchFields)[number];

export interface Hit {
  id: string; tree: string; name: string | null; score: number | null; snippet: string;
  content?: string; meta?: Record<string, unknown>; t_start?: string | null; t_end?: string | null;
  created_by?: string | null; created_at?: Date; updated_at?: Date; version?: number;
}

export const HEADLINE = 'MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … ", StartSel=**, StopSel=**';

export function extraColumns(ctx: OpContext, fields: readonly Field[] | undefined) {
  const sql = ctx.sql;
  const f = new Set(fields ?? []);
  return sql`
    ${f.has('content') ? sql`, m.content` : sql``}
    ${f.has('meta') ? sql`, m.meta` : sql``}
    ${f.has('temporal') ? sql`, ${temporalColumns(sql)}` : sql``}
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
