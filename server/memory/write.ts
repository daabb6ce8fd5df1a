import { memoryBatchCreate, memoryCreate, memoryDelete, memoryDeleteByPath, memoryUpdate } from '../../contracts/memory.js';
import { AppError, notFound } from '../../contracts/errors.js';
import { showPath, showTree } from '../../contracts/paths.js';
import { canAccess, hasAccess, treeRefusal } from '../access/predicate.js';
import { implement } from '../operations.js';
import type { OpContext } from '../context.js';
import type { TxSql } from '../../db/connect.js';
import { translatePgError } from '../util/pg-errors.js';
import { inWriteTx, memoryColumns, temporalRange, toMemory, type MemoryRow } from './row.js';

/**
 * The upsert's update: only when something differs, so replacing a memory with identical content,
 * meta and time is a no-op (no new version, no history row; re-running an import changes nothing).
 */
const replaceChanged = (tx: TxSql) => tx`update set content = excluded.content, meta = excluded.meta, temporal = excluded.temporal,
    updated_at = now(), version = m.version + 1
  where (m.content, m.meta, m.temporal) is distinct from (excluded.content, excluded.meta, excluded.temporal)`;

const taken = (tree: string, name: string) => `a memory already exists at ${showPath(tree, name)}; pass onConflict "replace" or "ignore", or pick another name`;

async function requireWrite(ctx: OpContext, tree: string) {
  if (!(await hasAccess(ctx.sql, ctx.caller, ctx.space.id, 2, tree))) {
    throw treeRefusal(ctx.caller, ctx.space.id, 2, tree, `you have no write access to ${showTree(tree)} in space "${ctx.space.slug}"`);
  }
}

export const create = implement(memoryCreate, async (input, ctx) => {
  const tree = input.tree ?? '';
  const name = input.name ?? null;
  await requireWrite(ctx, tree);
  const onConflict = name ? (input.onConflict ?? 'error') : 'error';
  const values = {
    space_id: ctx.space.id, tree, name, content: input.content, meta: input.meta ?? {},
    temporal: temporalRange(input.temporal), created_by: ctx.caller.principalId,
  };
  return inWriteTx(ctx, async (tx) => {
    const insert = tx`insert into core.memory as m (space_id, tree, name, content, meta, temporal, created_by)
      values (${values.space_id}, ${tree}::ltree, ${name}, ${values.content}, ${tx.json(values.meta as never)}, ${values.temporal}::tstzrange, ${values.created_by})`;
    try {
      if (onConflict === 'replace') {
        const [row] = await tx<(MemoryRow & { inserted: boolean })[]>`${insert}
          on conflict (space_id, tree, name) where name is not null do ${replaceChanged(tx)}
          returning ${memoryColumns(tx)}, (xmax = 0) as inserted`;
        if (row) return { ...toMemory(row), outcome: row.inserted ? ('created' as const) : ('replaced' as const) };
        const [same] = await tx<MemoryRow[]>`select ${memoryColumns(tx)} from core.memory m
          where m.space_id = ${ctx.space.id} and m.tree = ${tree}::ltree and m.name = ${name}`;
        return { ...toMemory(same!), outcome: 'unchanged' as const };
      }
      if (onConflict === 'ignore') {
        const [row] = await tx<MemoryRow[]>`${insert}
          on conflict (space_id, tree, name) where name is not null do nothing returning ${memoryColumns(tx)}`;
        if (row) return { ...toMemory(row), outcome: 'created' as const };
        const [existing] = await tx<MemoryRow[]>`select ${memoryColumns(tx)} from core.memory m
          where m.space_id = ${ctx.space.id} and m.tree = ${tree}::ltree and m.name = ${name}`;
        return { ...toMemory(existing!), outcome: 'ignored' as const };
      }
      const [row] = await tx<MemoryRow[]>`${insert} returning ${memoryColumns(tx)}`;
      return { ...toMemory(row!), outcome: 'created' as const };
    } catch (err) {
      translatePgError(err, taken(tree, name ?? ''));
    }
  });
});

export const batchCreate = implement(memoryBatchCreate, async (input, ctx) => {
  const items = input.memories.map((m) => ({
    tree: m.tree ?? '', name: m.name ?? null, content: m.content,
    meta: JSON.stringify(m.meta ?? {}), temporal: temporalRange(m.temporal),
  }));
  const seen = new Set<string>();
  items.forEach((m, i) => {
    if (!m.name) return;
    const key = `${m.tree}\u0000${m.name}`;
    if (seen.has(key)) throw new AppError('VALIDATION_ERROR', `memories[${i}]: ${showPath(m.tree, m.name)} appears twice in this batch`);
    seen.add(key);
  });
  const trees = [...new Set(items.map((m) => m.tree))];
  const sql = ctx.sql;
  const denied = await sql<{ tree: string }[]>`select t::text as tree from unnest(${trees}::text[]::ltree[]) as t
    where not ${canAccess(sql, ctx.caller, ctx.space.id, 2, sql`t`)}`;
  if (denied.length) throw treeRefusal(ctx.caller, ctx.space.id, 2, denied[0]!.tree, `you have no write access to ${denied.map((d) => showTree(d.tree)).join(', ')} in space "${ctx.space.slug}"`);
  const onConflict = input.onConflict ?? 'error';
  return inWriteTx(ctx, async (tx) => {
    const source = tx`select ${ctx.space.id}::uuid, t::ltree, n, c, mt::jsonb, tr::tstzrange, ${ctx.caller.principalId}::uuid
      from unnest(${items.map((m) => m.tree)}::text[], ${items.map((m) => m.name)}::text[], ${items.map((m) => m.content)}::text[],
                  ${items.map((m) => m.meta)}::text[], ${items.map((m) => m.temporal)}::text[])
           with ordinality as x(t, n, c, mt, tr, ord)
      order by ord`;
    const into = tx`insert into core.memory as m (space_id, tree, name, content, meta, temporal, created_by) ${source}`;
    try {
      if (onConflict === 'error') {
        const rows = await tx<{ id: string }[]>`${into} returning id`;
        return { ids: rows.map((r) => r.id), created: rows.length, replaced: 0, ignored: 0, unchanged: 0 };
      }
      const rows = await tx<{ id: string; tree: string; name: string | null; inserted: boolean }[]>`${into}
        on conflict (space_id, tree, name) where name is not null do ${onConflict === 'replace' ? replaceChanged(tx) : tx`nothing`}
        returning id, tree::text as tree, name, (xmax = 0) as inserted`;
      const byPath = new Map(rows.filter((r) => r.name).map((r) => [`${r.tree}\u0000${r.name}`, r.id]));
      const missing = items.filter((m) => m.name && !byPath.has(`${m.tree}\u0000${m.name}`));
      if (missing.length) {
        const existing = await tx<{ id: string; tree: string; name: string }[]>`select m.id, m.tree::text as tree, m.name
          from core.memory m join unnest(${missing.map((m) => m.tree)}::text[]::ltree[], ${missing.map((m) => m.name)}::text[]) as x(t, n)
            on m.tree = x.t and m.name = x.n
          where m.space_id = ${ctx.space.id}`;
        for (const e of existing) byPath.set(`${e.tree}\u0000${e.name}`, e.id);
      }
      let next = 0;
      const unnamed = rows.filter((r) => !r.name);
      const ids = items.map((m) => (m.name ? byPath.get(`${m.tree}\u0000${m.name}`)! : unnamed[next++]!.id));
      const created = rows.filter((r) => r.inserted).length;
      const replaced = rows.length - created;
      // Named memories the statement did not return: kept (ignore), or identical already (replace).
      const untouched = items.length - rows.length;
      return { ids, created, replaced, ignored: onConflict === 'ignore' ? untouched : 0, unchanged: onConflict === 'replace' ? untouched : 0 };
    } catch (err) {
      translatePgError(err, 'a memory in this batch collides with an existing path; use onConflict "replace" or "ignore"');
    }
  });
});

/** Explains why a targeted write matched nothing: absent/unreadable, read-only, or stale. */
async function explainMiss(ctx: OpContext, sql: TxSql, id: string, version?: number): Promise<never> {
  const [row] = await sql<{ version: number; tree: string; writable: boolean }[]>`
    select m.version, m.tree::text as tree, ${canAccess(sql, ctx.caller, ctx.space.id, 2, sql`m.tree`)} as writable from core.memory m
    where m.id = ${id} and m.space_id = ${ctx.space.id} and ${canAccess(sql, ctx.caller, ctx.space.id, 1, sql`m.tree`)}`;
  if (!row) throw notFound(`memory ${id}`);
  if (!row.writable) throw treeRefusal(ctx.caller, ctx.space.id, 2, row.tree, `you have read-only access to memory ${id}`);
  if (version !== undefined && row.version !== version) {
    throw new AppError('CONFLICT', `memory ${id} is at version ${row.version}, not ${version}: it changed since you read it; read it again and reapply your change`, { reason: 'VERSION_CONFLICT', currentVersion: row.version });
  }
  throw treeRefusal(ctx.caller, ctx.space.id, 2, null, 'you have no write access to the destination path');
}

export const update = implement(memoryUpdate, async (input, ctx) =>
  inWriteTx(ctx, async (tx) => {
    const sets = [
      input.content !== undefined && tx`content = ${input.content},`,
      input.tree !== undefined && tx`tree = ${input.tree}::ltree,`,
      input.name !== undefined && tx`name = ${input.name},`,
      input.meta !== undefined && tx`meta = ${tx.json(input.meta as never)},`,
      input.temporal !== undefined && tx`temporal = ${temporalRange(input.temporal)}::tstzrange,`,
    ].filter((s) => s !== false);
    const destination = input.tree !== undefined
      ? tx`and ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`${input.tree}::ltree`)}`
      : tx``;
    try {
      const [row] = await tx<MemoryRow[]>`update core.memory m set
          ${sets.reduce((acc, s) => tx`${acc} ${s}`, tx``)} updated_at = now(), version = m.version + 1
        where m.id = ${input.id} and m.space_id = ${ctx.space.id} and m.version = ${input.version}
          and ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`m.tree`)} ${destination}
        returning ${memoryColumns(tx)}`;
      if (row) return toMemory(row);
    } catch (err) {
      translatePgError(err, `another memory already has that path (${showPath(input.tree ?? '', input.name ?? '')}); pick another name or tree`);
    }
    return explainMiss(ctx, tx, input.id, input.version);
  }));

export const remove = implement(memoryDelete, async (input, ctx) => {
  return inWriteTx(ctx, async (tx) => {
    const [row] = await tx<{ id: string }[]>`delete from core.memory m
      where m.id = ${input.id} and m.space_id = ${ctx.space.id} and ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`m.tree`)}
      returning m.id`;
    if (row) return { id: row.id, deleted: true as const };
    return explainMiss(ctx, tx, input.id);
  });
});

export const removeByPath = implement(memoryDeleteByPath, async (input, ctx) => {
  const { tree, name } = input.path;
  return inWriteTx(ctx, async (tx) => {
    const [row] = await tx<{ id: string; writable: boolean }[]>`select m.id, ${canAccess(tx, ctx.caller, ctx.space.id, 2, tx`m.tree`)} as writable
      from core.memory m where m.space_id = ${ctx.space.id} and m.tree = ${tree}::ltree and m.name = ${name}
        and ${canAccess(tx, ctx.caller, ctx.space.id, 1, tx`m.tree`)} for update`;
    if (!row) throw notFound(`memory ${showPath(tree, name)}`);
    if (!row.writable) throw treeRefusal(ctx.caller, ctx.space.id, 2, tree, `you have read-only access to ${showPath(tree, name)}`);
    await tx`delete from core.memory where id = ${row.id}`;
    return { id: row.id, deleted: true as const };
  });
});
