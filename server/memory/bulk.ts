import { memoryCopy, memoryDeleteTree, memoryMove } from '../../contracts/memory.js';
import { AppError } from '../../contracts/errors.js';
import { MAX_TREE_CHARS, MAX_TREE_LEVELS, showTree } from '../../contracts/paths.js';
import { hasAccess, treeRefusal } from '../access/predicate.js';
import { implement } from '../operations.js';
import type { OpContext } from '../context.js';
import type { TxSql } from '../../db/connect.js';
import { translatePgError } from '../util/pg-errors.js';
import { inWriteTx } from './row.js';

// Bulk operations need access to a whole subtree: the caller must hold the level on the
// subtree's root itself. Acting on just the visible part would be surprising, and refusing only
// when hidden rows exist would reveal them.
export async function requireSubtree(ctx: OpContext, tree: string, level: 1 | 2, verb: string) {
  if (!(await hasAccess(ctx.sql, ctx.caller, ctx.space.id, level, tree))) {
    throw treeRefusal(ctx.caller, ctx.space.id, level, tree, `to ${verb} ${showTree(tree)} you need ${level === 2 ? 'write' : 'read'} access to all of it in space "${ctx.space.slug}"`);
  }
}

/** How many memories a bulk operation on the subtree would touch (the caller may access all of it). */
async function countSubtree(ctx: OpContext, tree: string) {
  const [row] = await ctx.sql<{ count: number }[]>`select count(*)::int as count from core.memory
    where space_id = ${ctx.space.id} and tree <@ ${tree}::ltree`;
  return row!.count;
}

export const deleteTree = implement(memoryDeleteTree, async (input, ctx) => {
  if (input.tree === '' && !input.confirm && !input.dryRun) {
    throw new AppError('VALIDATION_ERROR', 'deleting "/" removes every memory in the space; pass confirm: true to do it');
  }
  await requireSubtree(ctx, input.tree, 2, 'delete');
  if (input.dryRun) {
    return { count: await countSubtree(ctx, input.tree), dryRun: true, ids: [] };
  }
  return inWriteTx(ctx, async (tx) => {
    const rows = await tx<{ id: string }[]>`delete from core.memory where space_id = ${ctx.space.id} and tree <@ ${input.tree}::ltree returning id`;
    return { count: rows.length, dryRun: false, ids: rows.map((r) => r.id) };
  });
});

/** `tree` with its `from` prefix replaced by `to` (subpath() rejects an offset at the very end). */
const rebase = (tx: TxSql, from: string, to: string) => tx`case when nlevel(tree) = nlevel(${from}::ltree) then ${to}::ltree
  else ${to}::ltree || subpath(tree, nlevel(${from}::ltree)) end`;

function checkMove(from: string, to: string) {
  if (from === to) throw new AppError('VALIDATION_ERROR', '"from" and "to" are the same path');
}

/** Refuses a move or copy that would give some memory a path beyond the tree limits. */
async function checkFits(ctx: OpContext, from: string, to: string) {
  const [deepest] = await ctx.sql<{ levels: number; chars: number }[]>`
    select coalesce(max(nlevel(tree)), 0)::int as levels, coalesce(max(length(tree::text)), 0)::int as chars
    from core.memory where space_id = ${ctx.space.id} and tree <@ ${from}::ltree`;
  const rest = (n: number, of: string) => n - (of ? of.split('.').length : 0);
  const levels = (to ? to.split('.').length : 0) + rest(deepest!.levels, from);
  const chars = deepest!.chars - from.length + to.length + (from === '' && to !== '' && deepest!.chars > 0 ? 1 : 0);
  if (deepest!.levels > 0 && (levels > MAX_TREE_LEVELS || chars > MAX_TREE_CHARS)) {
    throw new AppError('VALIDATION_ERROR', `to: under ${showTree(to)} some paths would exceed ${MAX_TREE_LEVELS} levels or ${MAX_TREE_CHARS} characters; pick a shorter destination`);
  }
}

export const move = implement(memoryMove, async (input, ctx) => {
  checkMove(input.from, input.to);
  await requireSubtree(ctx, input.from, 2, 'move');
  await requireSubtree(ctx, input.to, 2, 'move into');
  await checkFits(ctx, input.from, input.to);
  if (input.dryRun) {
    return { count: await countSubtree(ctx, input.from), dryRun: true };
  }
  return inWriteTx(ctx, async (tx) => {
    try {
      const result = await tx`update core.memory set
          tree = ${rebase(tx, input.from, input.to)},
          updated_at = now(), version = version + 1
        where space_id = ${ctx.space.id} and tree <@ ${input.from}::ltree`;
      return { count: result.count, dryRun: false };
    } catch (err) {
      translatePgError(err, `moving ${showTree(input.from)} to ${showTree(input.to)} would collide with named memories already there; nothing was moved`);
    }
  });
});

export const copy = implement(memoryCopy, async (input, ctx) => {
  checkMove(input.from, input.to);
  await requireSubtree(ctx, input.from, 1, 'copy');
  await requireSubtree(ctx, input.to, 2, 'copy into');
  await checkFits(ctx, input.from, input.to);
  if (input.dryRun) {
    return { count: await countSubtree(ctx, input.from), dryRun: true };
  }
  return inWriteTx(ctx, async (tx) => {
    try {
      const result = await tx`insert into core.memory (space_id, tree, name, content, meta, temporal, created_by)
        select space_id, ${rebase(tx, input.from, input.to)}, name, content, meta, temporal, ${ctx.caller.principalId}
        from core.memory where space_id = ${ctx.space.id} and tree <@ ${input.from}::ltree
        order by id`;
      return { count: result.count, dryRun: false };
    } catch (err) {
      translatePgError(err, `copying ${showTree(input.from)} to ${showTree(input.to)} would collide with named memories already there; nothing was copied`);
    }
  });
});
