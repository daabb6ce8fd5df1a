import type { TxSql } from '../../db/connect.js';
import { spaceCreate, spaceDelete, spaceList, spaceRename } from '../../contracts/space.js';
import { AppError } from '../../contracts/errors.js';
import { implement } from '../operations.js';
import { iso } from '../memory/row.js';
import { translatePgError } from '../util/pg-errors.js';
import { invalidate } from '../invalidation.js';

interface SpaceRow { id: string; slug: string; name: string; personal: boolean; role: 'member' | 'admin'; created_at: Date }
const toSpace = (r: SpaceRow) => ({ id: r.id, slug: r.slug, name: r.name, personal: r.personal, role: r.role, createdAt: iso(r.created_at) });

/** Creates a space with `principalId` as its admin holding owner on the whole tree. */
export async function createSpace(tx: TxSql, principalId: string, slug: string, name: string, personal = false) {
  const [space] = await tx<SpaceRow[]>`insert into core.space (slug, name, personal, created_by)
    values (${slug}, ${name}, ${personal}, ${principalId}) returning id, slug, name, personal, 'admin' as role, created_at`;
  await tx`insert into core.space_member (space_id, principal_id, role) values (${space!.id}, ${principalId}, 'admin')`;
  await tx`insert into core.grant (space_id, principal_id, tree_prefix, level) values (${space!.id}, ${principalId}, '', 3)`;
  return space!;
}

export const list = implement(spaceList, async (_input, ctx) => {
  const rows = await ctx.sql<SpaceRow[]>`select s.id, s.slug, s.name, s.personal, sm.role, s.created_at
    from core.space s join core.space_member sm on sm.space_id = s.id
    where sm.principal_id = ${ctx.caller.principalId} order by s.personal desc, s.slug`;
  return { spaces: rows.map(toSpace) };
});

export const create = implement(spaceCreate, async (input, ctx) => {
  try {
    const row = await ctx.sql.begin((tx) => createSpace(tx, ctx.caller.principalId, input.slug, input.name ?? input.slug));
    return toSpace(row as SpaceRow);
  } catch (err) {
    translatePgError(err, `a space with the slug "${input.slug}" already exists; pick another slug`);
  }
});

export const rename = implement(spaceRename, async (input, ctx) => {
  const id = ctx.space.id;
  try {
    const [row] = await ctx.sql<SpaceRow[]>`update core.space set
        slug = coalesce(${input.slug ?? null}, slug), name = coalesce(${input.name ?? null}, name)
      where id = ${id} returning id, slug, name, personal, 'admin' as role, created_at`;
    await invalidate(ctx, { kind: 'spaces' });
    return toSpace(row!);
  } catch (err) {
    translatePgError(err, `a space with the slug "${input.slug}" already exists; pick another slug`);
  }
});

export const remove = implement(spaceDelete, async (input, ctx) => {
  if (input.confirm !== input.space) throw new AppError('VALIDATION_ERROR', `confirm: repeat the slug ("${input.space}") to delete the space and all its memories`);
  const id = ctx.space.id;
  const [row] = await ctx.sql<{ count: number }[]>`with gone as (delete from core.space where id = ${id} returning id)
    select (select count(*)::int from core.memory where space_id = ${id}) as count from gone`;
  await invalidate(ctx, { kind: 'spaces' });
  return { slug: input.space, deleted: true as const, memories: row?.count ?? 0 };
});
