import type { Sql, TxSql } from '../../db/connect.js';
import { showPath, showTree } from '../../contracts/paths.js';
import type { Memory } from '../../contracts/memory-shapes.js';
import type { OpContext } from '../context.js';

/**
 * The bounds of a memory's time as ISO 8601 text: the driver's own parsing of timestamps reads
 * years below 100 as 19xx/20xx (JavaScript's legacy date parser), while ISO text round-trips.
 */
export const temporalColumns = (sql: Sql | TxSql) => sql`to_json(lower(m.temporal)) as t_start, to_json(upper(m.temporal)) as t_end`;

/** The columns every memory read selects; `toMemory` maps them to the API shape. */
export const memoryColumns = (sql: Sql | TxSql) => sql`
  m.id, m.tree::text as tree, m.name, m.content, m.meta,
  ${temporalColumns(sql)},
  m.created_by, m.created_at, m.updated_at, m.version`;

export interface MemoryRow {
  id: string; tree: string; name: string | null; content: string; meta: Record<string, unknown>;
  t_start: string | null; t_end: string | null; created_by: string | null; created_at: Date; updated_at: Date; version: number;
}

export const iso = (d: Date | string) => (typeof d === 'string' ? new Date(d) : d).toISOString();

export function toTemporal(start: string | null, end: string | null): Memory['temporal'] {
  if (!start) return null;
  const from = iso(start);
  const to = end && iso(end);
  return { start: from, end: to && to !== from ? to : null };
}

export function toMemory(r: MemoryRow): Memory {
  return {
    id: r.id,
    path: showPath(r.tree, r.name),
    tree: showTree(r.tree),
    name: r.name,
    content: r.content,
    meta: r.meta,
    temporal: toTemporal(r.t_start, r.t_end),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
    version: r.version,
  };
}

/** Temporal input → tstzrange literal: a point is [t,t], a range [start,end). */
export function temporalRange(t: { start: string; end?: string | null } | null | undefined): string | null {
  if (!t) return null;
  return t.end ? `[${t.start},${t.end})` : `[${t.start},${t.start}]`;
}

/**
 * Runs a write in a transaction that tells the history trigger who did it and in which request.
 */
export function inWriteTx<T>(ctx: OpContext, fn: (tx: TxSql) => Promise<T>): Promise<T> {
  return ctx.sql.begin(async (tx) => {
    await tx`select set_config('me.actor', ${ctx.caller.principalId}, true), set_config('me.operation', ${ctx.requestId}, true)`;
    return fn(tx);
  }) as Promise<T>;
}
