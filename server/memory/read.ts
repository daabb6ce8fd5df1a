import { memoryCount, memoryGet, memoryGetByPath, memoryTree } from '../../contracts/memory.js';
import { notFound } from '../../contracts/errors.js';
import { showPath, showTree } from '../../contracts/paths.js';
import { canAccess, missingNote } from '../access/predicate.js';
import { implement } from '../operations.js';
import type { Memory } from '../../contracts/memory-shapes.js';
import { memoryColumns, toMemory, type MemoryRow } from './row.js';

// A memory the caller may not read is reported exactly like one that does not exist, so
// probing ids or paths reveals nothing.

/**
 * The content window a get asked for: `maxChars` from `offset`, never splitting a UTF-16 surrogate
 * pair. Fills in `m` itself (a memory just mapped from its row) rather than copying it: this is
 * every read's path.
 */
export function windowed(m: Memory, w: { maxChars?: number; offset?: number }) {
  const total = m.content.length;
  let start = Math.min(w.offset ?? 0, total);
  if (start > 0 && isLowSurrogate(m.content.charCodeAt(start))) start--;
  let end = w.maxChars === undefined ? total : Math.min(total, start + w.maxChars);
  if (end < total && end > start && isLowSurrogate(m.content.charCodeAt(end))) end--;
  const out = m as Memory & { totalChars: number; offset: number; truncated: boolean };
  if (start > 0 || end < total) out.content = m.content.slice(start, end);
  out.totalChars = total;
  out.offset = start;
  out.truncated = start > 0 || end < total;
  return out;
}
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

export const get = implement(memoryGet, async (input, ctx) => {
  const sql = ctx.sql;
  const [row] = await sql<MemoryRow[]>`select ${memoryColumns(sql)} from core.memory m
    where m.id = ${input.id} and m.space_id = ${ctx.space.id} and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
  if (!row) throw notFound(`memory ${input.id} in space "${ctx.space.slug}"`, missingNote(ctx.caller));
  return windowed(toMemory(row), input);
});

export const getByPath = implement(memoryGetByPath, async (input, ctx) => {
  const sql = ctx.sql;
  const { tree, name } = input.path;
  const [row] = await sql<MemoryRow[]>`select ${memoryColumns(sql)} from core.memory m
    where m.space_id = ${ctx.space.id} and m.tree = ${tree}::ltree and m.name = ${name}
      and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
  if (!row) throw notFound(`memory ${showPath(tree, name)} in space "${ctx.space.slug}"`, missingNote(ctx.caller));
  return windowed(toMemory(row), input);
});

export const count = implement(memoryCount, async (input, ctx) => {
  const sql = ctx.sql;
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from core.memory m
    where m.space_id = ${ctx.space.id} and m.tree <@ ${input.tree ?? ''}::ltree
      and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
  return { count: row!.count };
});

export const tree = implement(memoryTree, async (input, ctx) => {
  const sql = ctx.sql;
  const root = input.tree ?? '';
  const levels = input.levels ?? 1;
  // Memories are counted per distinct tree first, and access is checked once per tree (it depends
  // only on the tree), not once per memory; each tree's count then adds to every ancestor between
  // the root and `levels` below it.
  const rows = await sql<{ path: string; count: number }[]>`
    with trees as (
      select m.tree, count(*)::int as n from core.memory m
      where m.space_id = ${ctx.space.id} and m.tree <@ ${root}::ltree
      group by m.tree),
    visible as (
      select t.tree, t.n from trees t where ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`t.tree`)})
    select '' as path, coalesce(sum(n), 0)::int as count from visible
    union all
    select * from (
      select subpath(v.tree, 0, k)::text as path, sum(v.n)::int as count
      from visible v, generate_series(nlevel(${root}::ltree) + 1, least(nlevel(v.tree), nlevel(${root}::ltree) + ${levels})) as k
      group by 1 order by 1) children`;
  const [total, ...children] = rows;
  return {
    tree: showTree(root),
    count: total?.count ?? 0,
    children: children.map((c) => ({ path: showTree(c.path), count: c.count })),
  };
});
