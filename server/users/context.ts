import type { Sql } from '../../db/connect.js';
import { context } from '../../contracts/context.js';
import { AppError } from '../../contracts/errors.js';
import { showTree } from '../../contracts/paths.js';
import { levelName, type Caller, type Rule } from '../context.js';
import { implement } from '../operations.js';
import { resolveSpace } from '../spaces/resolve.js';

/** ltree prefix `a` covers `b` when `a` is `b` or one of its ancestors ('' is the root). */
const covers = (a: string, b: string) => a === '' || a === b || b.startsWith(a + '.');

/**
 * The caller's effective access: each grant, narrowed by a restricted key's rules (the deeper
 * prefix and the lower level win), then capped at read for a token without memory:write.
 */
export function effectiveAccess(grants: { tree: string; level: number }[], caller: Caller, spaceId: string) {
  let out = grants;
  if (caller.restriction) {
    const rules = caller.restriction.filter((r: Rule) => r.spaceId === null || r.spaceId === spaceId);
    out = [];
    for (const g of grants) {
      for (const r of rules) {
        if (covers(g.tree, r.tree)) out.push({ tree: r.tree, level: Math.min(g.level, r.level) });
        else if (covers(r.tree, g.tree)) out.push({ tree: g.tree, level: Math.min(g.level, r.level) });
      }
    }
  }
  if (caller.scopes && !caller.scopes.includes('memory:write')) out = out.map((a) => ({ ...a, level: Math.min(a.level, 1) }));
  // Keep the highest level per prefix, shallowest first.
  const best = new Map<string, number>();
  for (const a of out) best.set(a.tree, Math.max(best.get(a.tree) ?? 0, a.level));
  return [...best].sort(([a], [b]) => a.localeCompare(b)).map(([tree, level]) => ({ tree: showTree(tree), level: levelName(level) }));
}

/** A restriction as people read it: space slugs (null = every space), displayed trees, level names. */
async function describeRules(ctx: { sql: Sql }, rules: Rule[]) {
  const ids = rules.filter((r) => r.spaceId && !r.space).map((r) => r.spaceId!);
  const slugs = ids.length ? await ctx.sql<{ id: string; slug: string }[]>`select id, slug from core.space where id = any(${ids}::uuid[])` : [];
  return rules.map((r) => ({
    space: r.space ?? (r.spaceId ? slugs.find((s) => s.id === r.spaceId)?.slug ?? r.spaceId : null),
    tree: showTree(r.tree), level: levelName(r.level),
  }));
}

export const describeContext = implement(context, async (input, ctx) => {
  const c = ctx.caller;
  const spaces = await ctx.sql<{ id: string; slug: string; name: string; role: 'member' | 'admin'; personal: boolean }[]>`
    select s.id, s.slug, s.name, sm.role, s.personal from core.space s join core.space_member sm on sm.space_id = s.id
    where sm.principal_id = ${c.principalId} order by s.personal desc, s.slug`;
  let space = null;
  let spaceSource: 'argument' | 'connection' | 'personal' | 'only' | 'none' = 'none';
  let spaceProblem: string | null = null;
  let access: { tree: string; level: 'read' | 'write' | 'owner' }[] = [];
  try {
    const s = await resolveSpace(ctx, c, input.space);
    space = { slug: s.slug, name: s.name, personal: s.personal, role: s.role };
    spaceSource = input.space ? 'argument' : c.defaultSpace ? 'connection' : s.personal ? 'personal' : 'only';
    const grants = await ctx.sql<{ tree: string; level: number }[]>`select tree_prefix::text as tree, level from core.grant
      where space_id = ${s.id} and principal_id = ${c.principalId}`;
    access = effectiveAccess(grants, c, s.id);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    spaceProblem = err.message;
  }
  return {
    principal: { id: c.principalId, kind: c.kind, name: c.name, email: c.email },
    credential: c.credential,
    scopes: c.scopes,
    canWrite: (!c.scopes || c.scopes.includes('memory:write')) && (!c.restriction || c.restriction.some((r) => r.level >= 2)),
    restriction: c.restriction && await describeRules(ctx, c.restriction),
    space,
    spaceSource,
    spaceProblem,
    access,
    spaces: spaces.map(({ id: _id, ...s }) => s),
  };
});
