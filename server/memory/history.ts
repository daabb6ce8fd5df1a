import { memoryHistory, memoryRevert } from '../../contracts/history.js';
import { notFound } from '../../contracts/errors.js';
import { showPath, showTree } from '../../contracts/paths.js';
import type { Sql, TxSql } from '../../db/connect.js';
import { canAccess, treeRefusal } from '../access/predicate.js';
import { implement } from '../operations.js';
import { makeCursor, readCursor } from '../util/cursor.js';
import { translatePgError } from '../util/pg-errors.js';
import { inWriteTx, iso, memoryColumns, toMemory, type MemoryRow } from './row.js';

export interface Snapshot {
  tree: string; name: string | null; content?: string; meta: Record<string, unknown>;
  temporal: { start: string; end: string | null } | null;
}

/** SQL narrowing history rows `h` to a time window and to before a page cursor. */
export function eventWindow(sql: Sql | TxSql, w: { since?: string; until?: string; before: string | null }) {
  return sql`${w.since ? sql`and h.at >= ${w.since}` : sql``} ${w.until ? sql`and h.at < ${w.until}` : sql``}
    ${w.before ? sql`and h.id < ${w.before}::bigint` : sql``}`;
}

const snapshotOut = (s: Snapshot, extra: { content?: string; snippet?: string }) => ({
  path: showPath(s.tree, s.name),
  tree: showTree(s.tree),
  name: s.name,
  ...extra,
  meta: s.meta,
  temporal: s.temporal && { start: iso(s.temporal.start), end: s.temporal.end && iso(s.temporal.end) },
});

interface EventRow {
  id: string; memory_id: string; version: number; op: 'insert' | 'update' | 'delete'; at: Date;
  actor_id: string | null; actor_name: string | null; operation_id: string | null; snapshot: Snapshot; snippet: string | null;
}

/** The memory last at a path, alive or deleted (its newest event there). */
async function memoryAtPath(sql: Sql, spaceId: string, tree: string, name: string): Promise<string | null> {
  const [row] = await sql<{ memory_id: string }[]>`select memory_id from core.memory_history
    where space_id = ${spaceId} and tree = ${tree}::ltree and name = ${name} order by id desc limit 1`;
  return row?.memory_id ?? null;
}

// One memory's history is visible to whoever may read the path it had most recently (so a deleted
// memory's history stays visible to those who could read it). In the feed, each event is visible to
// whoever may read the tree it happened in.
export const history = implement(memoryHistory, async (input, ctx) => {
  const sql = ctx.sql;
  const limit = input.limit ?? 20;
  // A cursor pages through the listing it was made for only.
  const listing = { space: ctx.space.id, id: input.id, path: input.path, tree: input.tree, since: input.since, until: input.until };
  const window = eventWindow(sql, { since: input.since, until: input.until, before: readCursor(input.cursor, 'h', listing) });
  const columns = sql`h.id::text as id, h.memory_id, h.version, h.op, h.at, h.actor_id, p.name as actor_name, h.operation_id`;
  let rows: EventRow[];
  const feed = input.tree !== undefined;
  if (feed) {
    rows = await sql<EventRow[]>`
      select ${columns}, h.snapshot - 'content' as snapshot, left(h.snapshot->>'content', 200) as snippet
      from core.memory_history h left join core.principal p on p.id = h.actor_id
      where h.space_id = ${ctx.space.id} and h.tree <@ ${input.tree!}::ltree
        and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`h.tree`)} ${window}
      order by h.id desc limit ${limit + 1}`;
  } else {
    const what = input.id ? `memory ${input.id}` : `memory ${showPath(input.path!.tree, input.path!.name)}`;
    const id = input.id ?? (await memoryAtPath(sql, ctx.space.id, input.path!.tree, input.path!.name));
    const [latest] = id ? await sql<{ readable: boolean }[]>`
      select ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`h.tree`)} as readable
      from core.memory_history h where h.memory_id = ${id} and h.space_id = ${ctx.space.id}
      order by h.id desc limit 1` : [];
    if (!latest?.readable) throw notFound(`${what} in space "${ctx.space.slug}"`);
    rows = await sql<EventRow[]>`
      select ${columns}, h.snapshot, null as snippet
      from core.memory_history h left join core.principal p on p.id = h.actor_id
      where h.memory_id = ${id} and h.space_id = ${ctx.space.id} ${window}
      order by h.id desc limit ${limit + 1}`;
  }
  const page = rows.slice(0, limit);
  return {
    events: page.map((h) => ({
      memoryId: h.memory_id,
      version: h.version,
      op: h.op,
      at: iso(h.at),
      actor: h.actor_id,
      actorName: h.actor_name,
      operationId: h.operation_id,
      snapshot: snapshotOut(h.snapshot, feed ? { snippet: h.snippet ?? '' } : { content: h.snapshot.content ?? '' }),
    })),
    nextCursor: rows.length > limit ? makeCursor('h', page.at(-1)!.id, listing) : null,
  };
});

export const revert = implement(memoryRevert, async (input, ctx) =>
  inWriteTx(ctx, async (tx) => {
    const [event] = await tx<{ snapshot: Snapshot; readable: boolean; writable: boolean }[]>`
      select h.snapshot,
        ${canAccess(tx, ctx.caller, ctx.space.id, 1, tx`h.tree`)} as readable,
        ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`h.tree`)} as writable
      from core.memory_history h
      where h.memory_id = ${input.id} and h.space_id = ${ctx.space.id} and h.version = ${input.version} and h.op <> 'delete'
      order by h.id desc limit 1`;
    if (!event?.readable) throw notFound(`version ${input.version} of memory ${input.id}`);
    if (!event.writable) throw treeRefusal(ctx.caller, ctx.space.id, 2, event.snapshot.tree, `you have no write access to ${showTree(event.snapshot.tree)}`);
    const s = event.snapshot;
    const temporal = s.temporal ? (s.temporal.end ? `[${s.temporal.start},${s.temporal.end})` : `[${s.temporal.start},${s.temporal.start}]`) : null;
    const [current] = await tx<{ version: number; tree: string; writable: boolean }[]>`
      select m.version, m.tree::text as tree, ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`m.tree`)} as writable
      from core.memory m where m.id = ${input.id} and m.space_id = ${ctx.space.id} for update`;
    if (current && !current.writable) throw treeRefusal(ctx.caller, ctx.space.id, 2, current.tree, `you have no write access to memory ${input.id} where it is now`);
    try {
      if (current) {
        const [row] = await tx<MemoryRow[]>`update core.memory m set tree = ${s.tree}::ltree, name = ${s.name}, content = ${s.content ?? ''},
            meta = ${tx.json(s.meta as never)}, temporal = ${temporal}::tstzrange, updated_at = now(), version = m.version + 1
          where m.id = ${input.id} returning ${memoryColumns(tx)}`;
        return toMemory(row!);
      }
      // Undelete: same id, the next version after everything in its history.
      const [row] = await tx<MemoryRow[]>`insert into core.memory as m (id, space_id, tree, name, content, meta, temporal, created_by, created_at, version)
        select ${input.id}, ${ctx.space.id}, ${s.tree}::ltree, ${s.name}, ${s.content ?? ''}, ${tx.json(s.meta as never)}, ${temporal}::tstzrange,
          (select id from core.principal where id = (h0.snapshot->>'createdBy')::uuid), coalesce((h0.snapshot->>'createdAt')::timestamptz, now()),
          (select max(version) + 1 from core.memory_history where memory_id = ${input.id})
        from (select snapshot from core.memory_history where memory_id = ${input.id} order by id limit 1) h0
        returning ${memoryColumns(tx)}`;
      return toMemory(row!);
    } catch (err) {
      translatePgError(err, `${showPath(s.tree, s.name)} is now taken by another memory; move or rename that one first`);
    }
  }));
