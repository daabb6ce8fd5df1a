import { grantList, grantRemove, grantSet, memberRemove, memberSetRole, principalList } from '../../contracts/access.js';
import { AppError, notFound } from '../../contracts/errors.js';
import { showTree } from '../../contracts/paths.js';
import { levelName, levelNumber } from '../context.js';
import { implement } from '../operations.js';
import { hasAccess, treeRefusal } from './predicate.js';
import { invalidate } from '../invalidation.js';

interface GrantRow { principal: string; principal_name: string; tree: string; level: number }
const toGrant = (g: GrantRow) => ({ principal: g.principal, principalName: g.principal_name, tree: showTree(g.tree), level: levelName(g.level) });

/** Only an owner of a prefix may hand out or take away access to it. */
async function requireOwner(ctx: Parameters<typeof set.handler>[1], tree: string) {
  if (!(await hasAccess(ctx.sql, ctx.caller, ctx.space.id, 3, tree))) {
    throw treeRefusal(ctx.caller, ctx.space.id, 3, tree, `you need owner access to ${showTree(tree)} in space "${ctx.space.slug}" to change who may use it`);
  }
}

export const set = implement(grantSet, async (input, ctx) => {
  await requireOwner(ctx, input.tree);
  const [principal] = await ctx.sql<{ id: string; name: string }[]>`select id, name from core.principal where id = ${input.principal}`;
  if (!principal) throw notFound(`principal ${input.principal}`);
  const level = levelNumber(input.level);
  await ctx.sql.begin(async (tx) => {
    await tx`insert into core.space_member (space_id, principal_id) values (${ctx.space.id}, ${principal.id}) on conflict do nothing`;
    await tx`insert into core.grant (space_id, principal_id, tree_prefix, level) values (${ctx.space.id}, ${principal.id}, ${input.tree}::ltree, ${level})
      on conflict (space_id, principal_id, tree_prefix) do update set level = excluded.level`;
  });
  await invalidate(ctx, { kind: 'spaces' });
  return { principal: principal.id, principalName: principal.name, tree: showTree(input.tree), level: input.level };
});

export const remove = implement(grantRemove, async (input, ctx) => {
  await requireOwner(ctx, input.tree);
  if (input.principal === ctx.caller.principalId && input.tree === '' && ctx.space.role === 'admin') {
    const [others] = await ctx.sql<{ n: number }[]>`select count(*)::int as n from core.grant
      where space_id = ${ctx.space.id} and tree_prefix = '' and level = 3 and principal_id <> ${ctx.caller.principalId}`;
    if (others!.n === 0) throw new AppError('CONFLICT', 'you are the only owner of this space; grant owner on "/" to someone else first');
  }
  const result = await ctx.sql`delete from core.grant
    where space_id = ${ctx.space.id} and principal_id = ${input.principal} and tree_prefix = ${input.tree}::ltree`;
  return { removed: result.count > 0 };
});

export const list = implement(grantList, async (input, ctx) => {
  const rows = await ctx.sql<GrantRow[]>`select g.principal_id as principal, p.name as principal_name, g.tree_prefix::text as tree, g.level
    from core.grant g join core.principal p on p.id = g.principal_id
    where g.space_id = ${ctx.space.id} ${input.principal ? ctx.sql`and g.principal_id = ${input.principal}` : ctx.sql``}
    order by p.name, g.tree_prefix`;
  return { grants: rows.map(toGrant) };
});

export const principals = implement(principalList, async (_input, ctx) => {
  const rows = await ctx.sql<{ id: string; kind: 'user' | 'service'; name: string; email: string | null; role: 'member' | 'admin' }[]>`
    select p.id, p.kind, p.name, p.email, sm.role from core.space_member sm join core.principal p on p.id = sm.principal_id
    where sm.space_id = ${ctx.space.id} order by p.kind, p.name`;
  return { principals: rows };
});

/** Refuses a roster change that would leave the space without an admin. */
async function keepAnAdmin(ctx: Parameters<typeof setRole.handler>[1], principal: string) {
  const [row] = await ctx.sql<{ others: number }[]>`select count(*)::int as others from core.space_member
    where space_id = ${ctx.space.id} and role = 'admin' and principal_id <> ${principal}`;
  if (row!.others === 0) throw new AppError('CONFLICT', 'a space must keep at least one admin; make someone else admin first');
}

export const setRole = implement(memberSetRole, async (input, ctx) => {
  const [member] = await ctx.sql<{ kind: 'user' | 'service' }[]>`select p.kind from core.space_member sm
    join core.principal p on p.id = sm.principal_id where sm.space_id = ${ctx.space.id} and sm.principal_id = ${input.principal}`;
  if (!member) throw notFound(`member ${input.principal} of space "${ctx.space.slug}"`);
  // Administration is for people: an agent's credentials could otherwise take a space over.
  if (input.role === 'admin' && member.kind === 'service') {
    throw new AppError('VALIDATION_ERROR', 'role: a service account cannot be an admin of a space; give it grants instead (grant.set)');
  }
  if (input.role === 'member') await keepAnAdmin(ctx, input.principal);
  await ctx.sql`update core.space_member set role = ${input.role} where space_id = ${ctx.space.id} and principal_id = ${input.principal}`;
  await invalidate(ctx, { kind: 'spaces' });
  return { principal: input.principal, role: input.role };
});

export const removeMember = implement(memberRemove, async (input, ctx) => {
  await keepAnAdmin(ctx, input.principal);
  const result = await ctx.sql`delete from core.space_member where space_id = ${ctx.space.id} and principal_id = ${input.principal}`;
  await invalidate(ctx, { kind: 'spaces' });
  return { removed: result.count > 0 };
});
