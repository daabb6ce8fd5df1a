import { randomBytes } from 'node:crypto';
import type { TxSql } from '../../db/connect.js';
import { sha256 } from '../auth/api-keys.js';
import { AppError, forbidden, notFound } from '../../contracts/errors.js';
import { inviteAccept, inviteCreate, inviteDecline, inviteList, invitePending, inviteRedeem, inviteRevoke } from '../../contracts/invite.js';
import { showTree } from '../../contracts/paths.js';
import { levelName, levelNumber, type OpContext } from '../context.js';
import { iso } from '../memory/row.js';
import { implement } from '../operations.js';
import { invalidate } from '../invalidation.js';

interface InvitationRow {
  id: string; space_slug: string; space_name: string; space_id: string; email: string | null; role: 'member' | 'admin';
  tree: string; level: number; max_uses: number; uses: number; expires_at: Date; revoked_at: Date | null; created_at: Date;
}

const toInvitation = (r: InvitationRow) => ({
  id: r.id, space: r.space_slug, spaceName: r.space_name, kind: r.email ? 'email' as const : 'link' as const, email: r.email,
  role: r.role, tree: showTree(r.tree), level: levelName(r.level), maxUses: r.max_uses, uses: r.uses,
  expiresAt: iso(r.expires_at), revoked: r.revoked_at !== null, createdAt: iso(r.created_at),
});

const select = (sql: OpContext['sql'] | TxSql) => sql`
  select i.id, s.slug as space_slug, s.name as space_name, i.space_id, i.email, i.role, i.tree_prefix::text as tree, i.level,
    i.max_uses, i.uses, i.expires_at, i.revoked_at, i.created_at
  from core.invitation i join core.space s on s.id = i.space_id`;

export const create = implement(inviteCreate, async (input, ctx) => {
  const email = input.email?.toLowerCase() ?? null;
  if (email && input.maxUses !== 1) throw new AppError('VALIDATION_ERROR', 'maxUses: an email invitation is for one person; omit maxUses (or omit email for a link)');
  const secret = email ? null : randomBytes(32).toString('base64url');
  const [row] = await ctx.sql<{ id: string }[]>`insert into core.invitation
      (space_id, email, secret_hash, role, tree_prefix, level, max_uses, expires_at, created_by)
    values (${ctx.space.id}, ${email}, ${secret ? sha256(secret) : null}, ${input.role}, ${input.tree}::ltree, ${levelNumber(input.level)},
      ${input.maxUses}, now() + make_interval(days => ${input.ttlDays}), ${ctx.caller.principalId})
    returning id`;
  const [inv] = await ctx.sql<InvitationRow[]>`${select(ctx.sql)} where i.id = ${row!.id}`;
  return { ...toInvitation(inv!), link: secret ? `inv.${secret}` : null };
});

export const list = implement(inviteList, async (_input, ctx) => {
  const rows = await ctx.sql<InvitationRow[]>`${select(ctx.sql)} where i.space_id = ${ctx.space.id} order by i.created_at desc, i.id desc`;
  return { invitations: rows.map(toInvitation) };
});

export const revoke = implement(inviteRevoke, async (input, ctx) => {
  const [row] = await ctx.sql<{ id: string }[]>`update core.invitation set revoked_at = coalesce(revoked_at, now())
    where id = ${input.id} and space_id = ${ctx.space.id} returning id`;
  if (!row) throw notFound(`invitation ${input.id} in space "${ctx.space.slug}"`);
  return { id: row.id, revoked: true as const };
});

/**
 * The caller's email, if their identity provider verified it (read now, not from the credential:
 * a personal access token may outlive its holder's verified status). Email invitations are keyed
 * by address, so an unverified one must never claim them.
 */
async function verifiedEmail(ctx: OpContext): Promise<string> {
  const [user] = await ctx.sql<{ email: string; email_verified: boolean }[]>`
    select email, email_verified from auth.users where id = ${ctx.caller.principalId}`;
  if (!user?.email_verified) {
    throw forbidden('your email address is not verified by your identity provider; verify it there and sign in again to use email invitations');
  }
  return user.email.toLowerCase();
}

const open = (sql: OpContext['sql'] | TxSql) => sql`i.revoked_at is null and i.expires_at > now() and i.uses < i.max_uses`;

export const pending = implement(invitePending, async (_input, ctx) => {
  const email = await verifiedEmail(ctx);
  const rows = await ctx.sql<InvitationRow[]>`${select(ctx.sql)} where i.email = ${email} and ${open(ctx.sql)}
    and not exists (select 1 from core.invitation_response r where r.invitation_id = i.id and r.principal_id = ${ctx.caller.principalId})
    order by i.created_at desc`;
  return { invitations: rows.map(toInvitation) };
});

/** Joins the caller to the invitation's space, once per person; counts a use; race-safe (row lock). */
async function join(ctx: OpContext, find: (tx: TxSql) => Promise<InvitationRow | undefined>, what: string) {
  const result = await ctx.sql.begin(async (tx) => {
    const inv = await find(tx);
    if (!inv) throw notFound(what);
    const grant = { space: inv.space_slug, spaceName: inv.space_name, role: inv.role, tree: showTree(inv.tree), level: levelName(inv.level) };
    const [answered] = await tx<{ accepted: boolean }[]>`select accepted from core.invitation_response
      where invitation_id = ${inv.id} and principal_id = ${ctx.caller.principalId}`;
    if (answered?.accepted) return grant; // accepting twice is a no-op
    if (inv.revoked_at) throw new AppError('CONFLICT', 'this invitation was revoked; ask the space admin for a new one');
    if (inv.expires_at.getTime() <= Date.now()) throw new AppError('CONFLICT', 'this invitation has expired; ask the space admin for a new one');
    if (inv.uses >= inv.max_uses) throw new AppError('CONFLICT', 'this invitation has been used up; ask the space admin for a new one');
    await tx`insert into core.space_member (space_id, principal_id, role) values (${inv.space_id}, ${ctx.caller.principalId}, ${inv.role})
      on conflict (space_id, principal_id) do update set role = case when excluded.role = 'admin' then 'admin' else core.space_member.role end`;
    await tx`insert into core.grant (space_id, principal_id, tree_prefix, level) values (${inv.space_id}, ${ctx.caller.principalId}, ${inv.tree}::ltree, ${inv.level})
      on conflict (space_id, principal_id, tree_prefix) do update set level = greatest(core.grant.level, excluded.level)`;
    await tx`update core.invitation set uses = uses + 1 where id = ${inv.id}`;
    await tx`insert into core.invitation_response (invitation_id, principal_id, accepted) values (${inv.id}, ${ctx.caller.principalId}, true)
      on conflict (invitation_id, principal_id) do update set accepted = true, at = now()`;
    return grant;
  });
  await invalidate(ctx, { kind: 'spaces' });
  return result;
}

export const accept = implement(inviteAccept, async (input, ctx) => {
  const email = await verifiedEmail(ctx);
  return join(ctx, async (tx) => (await tx<InvitationRow[]>`${select(tx)} where i.id = ${input.id} and i.email = ${email} for update of i`)[0],
    `invitation ${input.id} for ${email}`);
});

export const decline = implement(inviteDecline, async (input, ctx) => {
  const email = await verifiedEmail(ctx);
  const [inv] = await ctx.sql<{ id: string }[]>`select id from core.invitation where id = ${input.id} and email = ${email}`;
  if (!inv) throw notFound(`invitation ${input.id} for ${email}`);
  await ctx.sql`insert into core.invitation_response (invitation_id, principal_id, accepted) values (${inv.id}, ${ctx.caller.principalId}, false)
    on conflict (invitation_id, principal_id) do nothing`;
  return { id: inv.id, declined: true as const };
});

export const redeem = implement(inviteRedeem, async (input, ctx) => {
  const hash = sha256(input.link.slice('inv.'.length));
  return join(ctx, async (tx) => (await tx<InvitationRow[]>`${select(tx)} where i.secret_hash = ${hash} for update of i`)[0],
    'an invitation with this link (check it was copied whole)');
});
