import { memoryHistory, memoryRevert } from '../../contracts/memory.js';
import { forbidden, notFound } from '../../contracts/errors.js';
import { showPath, showTree } from '../../contracts/paths.js';
import { canAccess } from '../access/predicate.js';
import { implement } from '../operations.js';
import { makeCursor, readCursor } from '../util/cursor.js';
import { translatePgError } from '../util/pg-errors.js';
import { inWriteTx, iso, memoryColumns, toMemory, type MemoryRow } from './row.js';

interface Snapshot {
  tree: string; name: string | null; content: string; meta: Record<string, unknown>;
  temporal: { start: string; end: string | null } | null;
}

// Access to a memory's history follows the path it had most recently (so a deleted memory's
// history stays visible to those who could read it).
export const history = implement(memoryHistory, async (input, ctx) => {
  const sql = ctx.sql;
  const limit = input.limit ?? 20;
  const pages = { space: ctx.space.id, memory: input.id };
  const before = readCursor(input.cursor, 'h', pages);
  const [latest] = await sql<{ readable: boolean }[]>`
    select ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`(h.snapshot->>'tree')::ltree`)} as readable
    from core.memory_history h where h.memory_id = ${input.id} and h.space_id = ${ctx.space.id}
    order by h.id desc limit 1`;
  if (!latest?.readable) throw notFound(`memory ${input.id} in space "${ctx.space.slug}"`);
  const rows = await sql<{ id: string; version: number; op: 'insert' | 'update' | 'delete'; at: Date; actor_id: string | null; actor_name: string | null; operation_id: string | null; snapshot: Snapshot }[]>`
    select h.id::text as id, h.version, h.op, h.at, h.actor_id, p.name as actor_name, h.operation_id, h.snapshot
    from core.memory_history h left join core.principal p on p.id = h.actor_id
    where h.memory_id = ${input.id} and h.space_id = ${ctx.space.id} ${before ? sql`and h.id < ${before}::bigint` : sql``}
    order by h.id desc limit ${limit + 1}`;
  const page = rows.slice(0, limit);
  return {
    events: page.map((h) => ({
      version: h.version,
      op: h.op,
      at: iso(h.at),
      actor: h.actor_id,
      actorName: h.actor_name,
      operationId: h.operation_id,
      snapshot: {
        path: showPath(h.snapshot.tree, h.snapshot.name),
        tree: showTree(h.snapshot.tree),
        name: h.snapshot.name,
        content: h.snapshot.content,
        meta: h.snapshot.meta,
        temporal: h.snapshot.temporal && { start: iso(h.snapshot.temporal.start), end: h.snapshot.temporal.end && iso(h.snapshot.temporal.end) },
      },
    })),
    nextCursor: rows.length > limit ? makeCursor('h', page.at(-1)!.id, pages) : null,
  };
});

export const revert = implement(memoryRevert, async (input, ctx) =>
  inWriteTx(ctx, async (tx) => {
    const [event] = await tx<{ snapshot: Snapshot; readable: boolean; writable: boolean }[]>`
      select h.snapshot,
        ${canAccess(tx, ctx.caller, ctx.space.id, 1, tx`(h.snapshot->>'tree')::ltree`)} as readable,
        ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`(h.snapshot->>'tree')::ltree`)} as writable
      from core.memory_history h
      where h.memory_id = ${input.id} and h.space_id = ${ctx.space.id} and h.version = ${input.version} and h.op <> 'delete'
      order by h.id desc limit 1`;
    if (!event?.readable) throw notFound(`version ${input.version} of memory ${input.id}`);
    if (!event.writable) throw forbidden(`you have no write access to ${showTree(event.snapshot.tree)}`);
    const s = event.snapshot;
    const temporal = s.temporal ? (s.temporal.end ? `[${s.temporal.start},${s.temporal.end})` : `[${s.temporal.start},${s.temporal.start}]`) : null;
    const [current] = await tx<{ version: number; writable: boolean }[]>`
      select m.version, ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`m.tree`)} as writable
      from core.memory m where m.id = ${input.id} and m.space_id = ${ctx.space.id} for update`;
    if (current && !current.writable) throw forbidden(`you have no write access to memory ${input.id} where it is now`);
    try {
      if (current) {
        const [row] = await tx<MemoryRow[]>`update core.memory m set tree = ${s.tree}::ltree, name = ${s.name}, content = ${s.content},
            meta = ${tx.json(s.meta as never)}, temporal = ${temporal}::tstzrange, updated_at = now(), version = m.version + 1
          where m.id = ${input.id} returning ${memoryColumns(tx)}`;
        return toMemory(row!);
      }
      // Undelete: same id, the next version after everything in its history.
      const [row] = await tx<MemoryRow[]>`insert into core.memory as m (id, space_id, tree, name, content, meta, temporal, created_by, created_at, version)
        select ${input.id}, ${ctx.space.id}, ${s.tree}::ltree, ${s.name}, ${s.content}, ${tx.json(s.meta as never)}, ${temporal}::tstzrange,
          (select id from core.principal where id = (h0.snapshot->>'createdBy')::uuid), coalesce((h0.snapshot->>'createdAt')::timestamptz, now()),
          (select max(version) + 1 from core.memory_history where memory_id = ${input.id})
        from (select snapshot from core.memory_history where memory_id = ${input.id} order by id limit 1) h0
        returning ${memoryColumns(tx)}`;
      return toMemory(row!);
    } catch (err) {
      translatePgError(err, `${showPath(s.tree, s.name)} is now taken by another memory; move or rename that one first`);
    }
  }));
