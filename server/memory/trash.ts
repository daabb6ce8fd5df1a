import type { z } from 'zod';
import { memoryRestore, memoryTrash } from '../../contracts/history.js';
import { AppError, notFound } from '../../contracts/errors.js';
import { showPath } from '../../contracts/paths.js';
import type { Sql, TxSql } from '../../db/connect.js';
import { canAccess, treeRefusal } from '../access/predicate.js';
import type { OpContext } from '../context.js';
import { implement } from '../operations.js';
import { translatePgError } from '../util/pg-errors.js';
import { requireSubtree } from './bulk.js';
import { makeCursor, readCursor } from '../util/cursor.js';
import { eventWindow } from './history.js';
import { inWriteTx, iso } from './row.js';

// The trash is not a table: a memory is in it when the newest event of its history is its deletion.
// Restoring inserts it again from that event's snapshot, with the same id and the next version.

/** History rows `h` that are the deletion of a memory still deleted. */
const inTrash = (sql: Sql | TxSql) => sql`h.op = 'delete'
  and not exists (select 1 from core.memory_history later where later.memory_id = h.memory_id and later.id > h.id)`;

export const trash = implement(memoryTrash, async (input, ctx) => {
  const sql = ctx.sql;
  const limit = input.limit ?? 20;
  const listing = { space: ctx.space.id, tree: input.tree ?? '', since: input.since };
  const rows = await sql<{
    hid: string; memory_id: string; tree: string; name: string | null; version: number; at: Date;
    actor_id: string | null; actor_name: string | null; operation_id: string | null; snippet: string;
  }[]>`
    select h.id::text as hid, h.memory_id, h.tree::text as tree, h.name, h.version, h.at, h.actor_id, p.name as actor_name,
      h.operation_id, left(h.snapshot->>'content', 200) as snippet
    from core.memory_history h left join core.principal p on p.id = h.actor_id
    where h.space_id = ${ctx.space.id} and ${inTrash(sql)} and h.tree <@ ${input.tree ?? ''}::ltree
      and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`h.tree`)}
      ${eventWindow(sql, { since: input.since, before: readCursor(input.cursor, 'h', listing) })}
    order by h.id desc limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.memory_id,
      path: showPath(r.tree, r.name),
      tree: showPath(r.tree, null),
      name: r.name,
      version: r.version,
      deletedAt: iso(r.at),
      deletedBy: r.actor_id,
      deletedByName: r.actor_name,
      operationId: r.operation_id,
      snippet: r.snippet,
    })),
    nextCursor: rows.length > limit ? makeCursor('h', page.at(-1)!.hid, listing) : null,
  };
});

interface Candidate { hid: string; memory_id: string; tree: string; name: string | null; version: number; readable: boolean; writable: boolean }

/** The trash entries a restore names, with the caller's access to where each was. */
async function candidates(tx: TxSql, ctx: OpContext, input: z.output<typeof memoryRestore.input>) {
  const filter = input.ids ? tx`h.memory_id = any(${input.ids}::uuid[])`
    : input.path ? tx`h.tree = ${input.path.tree}::ltree and h.name = ${input.path.name}`
    : tx`h.tree <@ ${input.tree!}::ltree ${input.since ? tx`and h.at >= ${input.since}` : tx``}`;
  const rows = await tx<Candidate[]>`
    select h.id::text as hid, h.memory_id, h.tree::text as tree, h.name, h.version,
      ${canAccess(tx, ctx.caller, ctx.space.id, 1, tx`h.tree`)} as readable,
      ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`h.tree`)} as writable
    from core.memory_history h
    where h.space_id = ${ctx.space.id} and ${inTrash(tx)} and ${filter}
    order by h.id desc`;
  const visible = rows.filter((r) => r.readable);
  // A path names one memory: the one deleted there last.
  return input.path ? visible.slice(0, 1) : visible;
}

/** Refuses, changing nothing, when a restored named memory would take a path that is in use. */
async function checkPaths(tx: TxSql, ctx: OpContext, list: Candidate[]) {
  const named = list.filter((c) => c.name);
  const seen = new Map<string, number>();
  for (const c of named) seen.set(`${c.tree}/${c.name}`, (seen.get(`${c.tree}/${c.name}`) ?? 0) + 1);
  const twice = named.filter((c) => seen.get(`${c.tree}/${c.name}`)! > 1).map((c) => showPath(c.tree, c.name));
  if (twice.length) {
    throw new AppError('CONFLICT', `several deleted memories had the path ${[...new Set(twice)].slice(0, 5).join(', ')}; restore them one at a time by id (see memory.trash)`);
  }
  if (!named.length) return;
  const taken = await tx<{ tree: string; name: string }[]>`select m.tree::text as tree, m.name from core.memory m
    join unnest(${named.map((c) => c.tree)}::text[]::ltree[], ${named.map((c) => c.name)}::text[]) as x(t, n) on m.tree = x.t and m.name = x.n
    where m.space_id = ${ctx.space.id} limit 5`;
  if (taken.length) {
    throw new AppError('CONFLICT', `${taken.map((t) => showPath(t.tree, t.name)).join(', ')} ${taken.length > 1 ? 'are' : 'is'} now taken by another memory; move or rename that one first, then restore (nothing was restored)`);
  }
}

export const restore = implement(memoryRestore, async (input, ctx) => {
  if (input.tree !== undefined) await requireSubtree(ctx, input.tree, 2, 'restore into');
  return inWriteTx(ctx, async (tx) => {
    const list = await candidates(tx, ctx, input);
    if (input.ids) {
      const found = new Set(list.map((c) => c.memory_id));
      const missing = input.ids.filter((id) => !found.has(id));
      if (missing.length) throw notFound(`deleted memory ${missing.slice(0, 5).join(', ')} (not in the trash: never deleted, already restored, or not visible to you)`);
    }
    if (input.path && !list.length) throw notFound(`deleted memory at ${showPath(input.path.tree, input.path.name)} (nothing deleted there is in the trash)`);
    const denied = list.filter((c) => !c.writable);
    if (denied.length) throw treeRefusal(ctx.caller, ctx.space.id, 2, denied[0]!.tree, `you have no write access to ${showPath(denied[0]!.tree, denied[0]!.name)} in space "${ctx.space.slug}"`);
    await checkPaths(tx, ctx, list);
    if (input.dryRun || !list.length) {
      return { count: list.length, dryRun: !!input.dryRun, restored: list.map((c) => ({ id: c.memory_id, path: showPath(c.tree, c.name), version: c.version })) };
    }
    try {
      const rows = await tx<{ id: string; tree: string; name: string | null; version: number }[]>`
        insert into core.memory as m (id, space_id, tree, name, content, meta, temporal, created_by, created_at, version)
        select h.memory_id, h.space_id, h.tree, h.name, h.snapshot->>'content', h.snapshot->'meta',
          case when jsonb_typeof(h.snapshot->'temporal') = 'object' then
            case when h.snapshot->'temporal'->>'end' is null
              then tstzrange((h.snapshot->'temporal'->>'start')::timestamptz, (h.snapshot->'temporal'->>'start')::timestamptz, '[]')
              else tstzrange((h.snapshot->'temporal'->>'start')::timestamptz, (h.snapshot->'temporal'->>'end')::timestamptz, '[)') end
          end,
          (select id from core.principal where id = (h.snapshot->>'createdBy')::uuid),
          coalesce((h.snapshot->>'createdAt')::timestamptz, now()), h.version + 1
        from core.memory_history h where h.id = any(${list.map((c) => c.hid)}::bigint[])
        order by h.id
        returning m.id, m.tree::text as tree, m.name, m.version`;
      return { count: rows.length, dryRun: false, restored: rows.map((r) => ({ id: r.id, path: showPath(r.tree, r.name), version: r.version })) };
    } catch (err) {
      translatePgError(err, 'a restored memory\'s path was taken meanwhile; nothing was restored, try again');
    }
  });
});
