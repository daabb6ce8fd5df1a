import { apiKeyCreate, apiKeyGet, apiKeyList, apiKeyRevoke, serviceAccountCreate, serviceAccountDelete, serviceAccountList } from '../../contracts/api-key.js';
import { AppError, notFound } from '../../contracts/errors.js';
import { showTree } from '../../contracts/paths.js';
import { whoami } from '../../contracts/user.js';
import { levelName, levelNumber, type OpContext } from '../context.js';
import { implement } from '../operations.js';
import { iso } from '../memory/row.js';
import { mintApiKey } from '../auth/api-keys.js';
import { invalidate } from '../invalidation.js';

export const me = implement(whoami, async (_input, ctx) => {
  const spaces = await ctx.sql<{ slug: string; name: string; role: 'member' | 'admin'; personal: boolean }[]>`
    select s.slug, s.name, sm.role, s.personal from core.space s join core.space_member sm on sm.space_id = s.id
    where sm.principal_id = ${ctx.caller.principalId} order by s.personal desc, s.slug`;
  const c = ctx.caller;
  return { id: c.principalId, kind: c.kind, name: c.name, email: c.email, credential: c.credential, scopes: c.scopes, restricted: c.restriction !== null, spaces };
});

interface KeyRow {
  id: string; name: string; principal_id: string; principal_name: string; lookup_id: string;
  restriction: { space: string | null; space_slug?: string | null; tree: string; level: number }[] | null;
  expires_at: Date | null; last_used_at: Date | null; created_at: Date;
}
const toKey = (k: KeyRow) => ({
  id: k.id, name: k.name, principal: k.principal_id, principalName: k.principal_name, prefix: `me.${k.lookup_id}`,
  restriction: k.restriction?.map((r) => ({ space: r.space_slug ?? r.space, tree: showTree(r.tree), level: levelName(r.level) })) ?? null,
  expiresAt: k.expires_at && iso(k.expires_at), lastUsedAt: k.last_used_at && iso(k.last_used_at), createdAt: iso(k.created_at),
});

/** The caller themself, or a service account they own. */
async function ownPrincipal(ctx: OpContext, id: string | undefined) {
  if (!id || id === ctx.caller.principalId) return { id: ctx.caller.principalId, name: ctx.caller.name };
  const [row] = await ctx.sql<{ id: string; name: string }[]>`select id, name from core.principal
    where id = ${id} and kind = 'service' and owner_id = ${ctx.caller.principalId}`;
  if (!row) throw notFound(`service account ${id} (you can only manage your own service accounts)`);
  return row;
}

const keySelect = (ctx: OpContext) => ctx.sql`
  select k.id, k.name, k.principal_id, p.name as principal_name, k.lookup_id, k.expires_at, k.last_used_at, k.created_at,
    (select jsonb_agg(r || jsonb_build_object('space_slug', s.slug)) from jsonb_array_elements(k.restriction) r
       left join core.space s on s.id = (r->>'space')::uuid) as restriction
  from core.api_key k join core.principal p on p.id = k.principal_id
  where (k.principal_id = ${ctx.caller.principalId} or p.owner_id = ${ctx.caller.principalId})`;

export const createKey = implement(apiKeyCreate, async (input, ctx) => {
  const holder = await ownPrincipal(ctx, input.principal);
  let restriction: { space: string | null; tree: string; level: number }[] | null = null;
  if (input.restrict) {
    const slugs = [...new Set(input.restrict.map((r) => r.space).filter((s): s is string => !!s))];
    const spaces = slugs.length
      ? await ctx.sql<{ id: string; slug: string }[]>`select s.id, s.slug from core.space s
          join core.space_member sm on sm.space_id = s.id and sm.principal_id = ${holder.id} where s.slug = any(${slugs})`
      : [];
    restriction = input.restrict.map((r) => {
      const space = r.space ? spaces.find((s) => s.slug === r.space) : null;
      if (r.space && !space) throw new AppError('VALIDATION_ERROR', `restrict: ${holder.name} is not a member of space "${r.space}"`);
      return { space: space?.id ?? null, tree: r.tree, level: levelNumber(r.level) };
    });
  }
  const minted = mintApiKey();
  const expires = input.ttlDays ? new Date(Date.now() + input.ttlDays * 86_400_000) : null;
  const [row] = await ctx.sql<{ id: string }[]>`insert into core.api_key (lookup_id, secret_hash, principal_id, name, restriction, expires_at, created_by)
    values (${minted.lookupId}, ${minted.secretHash}, ${holder.id}, ${input.name}, ${restriction ? ctx.sql.json(restriction as never) : null}, ${expires}, ${ctx.caller.principalId})
    returning id`;
  const [key] = await ctx.sql<KeyRow[]>`${keySelect(ctx)} and k.id = ${row!.id}`;
  return { ...toKey(key!), key: minted.key };
});

export const listKeys = implement(apiKeyList, async (input, ctx) => {
  const rows = await ctx.sql<KeyRow[]>`${keySelect(ctx)} ${input.principal ? ctx.sql`and k.principal_id = ${input.principal}` : ctx.sql``} order by k.created_at desc`;
  return { keys: rows.map(toKey) };
});

export const getKey = implement(apiKeyGet, async (input, ctx) => {
  const [row] = await ctx.sql<KeyRow[]>`${keySelect(ctx)} and k.id = ${input.id}`;
  if (!row) throw notFound(`API key ${input.id}`);
  return toKey(row);
});

export const revokeKey = implement(apiKeyRevoke, async (input, ctx) => {
  const [row] = await ctx.sql<{ id: string }[]>`delete from core.api_key k using core.principal p
    where k.id = ${input.id} and p.id = k.principal_id and (k.principal_id = ${ctx.caller.principalId} or p.owner_id = ${ctx.caller.principalId})
    returning k.id`;
  if (!row) throw notFound(`API key ${input.id}`);
  await invalidate(ctx, { kind: 'apiKey', keyId: row.id });
  return { id: row.id, revoked: true as const };
});

export const createServiceAccount = implement(serviceAccountCreate, async (input, ctx) => {
  const [row] = await ctx.sql<{ id: string; name: string; created_at: Date }[]>`insert into core.principal (kind, name, owner_id)
    values ('service', ${input.name}, ${ctx.caller.principalId}) returning id, name, created_at`;
  return { id: row!.id, name: row!.name, createdAt: iso(row!.created_at) };
});

export const listServiceAccounts = implement(serviceAccountList, async (_input, ctx) => {
  const rows = await ctx.sql<{ id: string; name: string; created_at: Date }[]>`select id, name, created_at from core.principal
    where kind = 'service' and owner_id = ${ctx.caller.principalId} order by name`;
  return { serviceAccounts: rows.map((r) => ({ id: r.id, name: r.name, createdAt: iso(r.created_at) })) };
});

export const deleteServiceAccount = implement(serviceAccountDelete, async (input, ctx) => {
  const keys = await ctx.sql<{ id: string }[]>`select k.id from core.api_key k where k.principal_id = ${input.id}`;
  const [row] = await ctx.sql<{ id: string }[]>`delete from core.principal where id = ${input.id} and kind = 'service'
    and owner_id = ${ctx.caller.principalId} returning id`;
  if (!row) throw notFound(`service account ${input.id}`);
  for (const k of keys) await invalidate(ctx, { kind: 'apiKey', keyId: k.id });
  return { id: row.id, deleted: true as const };
});
