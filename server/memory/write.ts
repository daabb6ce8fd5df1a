import { memoryBatchCreate, memoryCreate, memoryDelete, memoryDeleteByPath, memoryUpdate } from '../../contracts/memory.js';
import type { z } from 'zod';
import { AppError, notFound } from '../../contracts/errors.js';
import type { memoryInputSchema } from '../../contracts/memory-shapes.js';
import { showPath, showTree } from '../../contracts/paths.js';
import { canAccess, hasAccess, treeRefusal } from '../access/predicate.js';
import { implement } from '../operations.js';
import type { OpContext } from '../context.js';
import type { TxSql } from '../../db/connect.js';
import { translatePgError } from '../util/pg-errors.js';
import { inWriteTx, memoryColumns, temporalRange, toMemory, type MemoryRow } from './row.js';
import { storeMemories, withIdRetry, type NewMemory } from './store.js';

const taken = (tree: string, name: string) => `a memory already exists at ${showPath(tree, name)}; pass onConflict "replace" or "ignore", or pick another name`;

async function requireWrite(ctx: OpContext, tree: string) {
  if (!(await hasAccess(ctx.sql, ctx.caller, ctx.space.id, 2, tree))) {
    throw treeRefusal(ctx.caller, ctx.space.id, 2, tree, `you have no write access to ${showTree(tree)} in space "${ctx.space.slug}"`);
  }
}

type MemoryInput = z.output<typeof memoryInputSchema>;
const toNew = (m: MemoryInput): NewMemory => ({
  id: m.id ?? null, tree: m.tree ?? '', name: m.name ?? null, content: m.content,
  meta: JSON.stringify(m.meta ?? {}), temporal: temporalRange(m.temporal),
});

export const create = implement(memoryCreate, async (input, ctx) => {
  const item = toNew(input);
  await requireWrite(ctx, item.tree);
  // onConflict speaks of a taken path or id; an unnamed memory without an id has neither.
  const onConflict = input.onConflict ?? 'error';
  return withIdRetry(() => inWriteTx(ctx, async (tx) => {
    const [stored] = await storeMemories(tx, ctx, [item], onConflict, taken(item.tree, item.name ?? ''));
    const [row] = await tx<MemoryRow[]>`select ${memoryColumns(tx)} from core.memory m where m.id = ${stored!.id}`;
    return { ...toMemory(row!), outcome: stored!.outcome };
  }));
});

export const batchCreate = implement(memoryBatchCreate, async (input, ctx) => {
  const items = input.memories.map(toNew);
  const seen = new Set<string>();
  items.forEach((m, i) => {
    if (m.id) {
      if (seen.has(m.id)) throw new AppError('VALIDATION_ERROR', `memories[${i}]: id ${m.id} appears twice in this batch`);
      seen.add(m.id);
    }
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
  return withIdRetry(() => inWriteTx(ctx, async (tx) => {
    const stored = await storeMemories(tx, ctx, items, input.onConflict ?? 'error',
      'a memory in this batch collides with an existing path; use onConflict "replace" or "ignore"');
    const count = (o: string) => stored.filter((s) => s.outcome === o).length;
    return { ids: stored.map((s) => s.id), created: count('created'), replaced: count('replaced'), ignored: count('ignored'), unchanged: count('unchanged') };
  }));
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
