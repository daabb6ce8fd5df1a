import { connectorList, connectorRevoke, connectorSetBoundary } from '../../contracts/connector.js';
import { showTree } from '../../contracts/paths.js';
import { AppError, notFound } from '../../contracts/errors.js';
import { levelName, levelNumber, type Connection, type Services } from '../context.js';
import { implement } from '../operations.js';
import { iso } from '../memory/row.js';
import { invalidate } from '../invalidation.js';

// The space and boundary a connected client uses live in core.connector_space; consent and tokens
// are better-auth's (auth schema).

/** better-auth writes its arrays into jsonb as JSON strings (a string holding the array). */
const strings = (v: unknown): string[] => {
  const parsed = typeof v === 'string' ? (() => { try { return JSON.parse(v) as unknown; } catch { return [v]; } })() : v;
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
};

const hostOf = (uri: string) => {
  try {
    return new URL(uri).host;
  } catch {
    return uri;
  }
};

/**
 * A connected application, looked up once per few seconds per user and client (so disconnecting
 * takes effect within seconds on every server), and at once on the server that disconnected it.
 */
export async function connection(svc: Pick<Services, 'sql' | 'caches'>, userId: string, clientId: string): Promise<Connection> {
  const key = `${userId}\u0000${clientId}`;
  const hit = svc.caches.connections.get(key);
  if (hit) return hit;
  const [row] = await svc.sql<{ approved: boolean; space: string | null; space_id: string | null; tree: string | null; level: 1 | 2 | null }[]>`
    select (exists (select 1 from auth.oauth_consent co where co.user_id = ${userId} and co.client_id = ${clientId})
            or coalesce((select c.skip_consent from auth.oauth_client c where c.client_id = ${clientId}), false)) as approved,
           b.slug as space, b.space_id, b.tree, b.level
    from (select 1) one left join (select s.slug, cs.space_id, cs.tree::text as tree, cs.level from core.connector_space cs
      join core.space s on s.id = cs.space_id where cs.principal_id = ${userId} and cs.client_id = ${clientId}) b on true`;
  const boundary = row?.level && row.space_id ? { spaceId: row.space_id, tree: row.tree ?? '', level: row.level, space: row.space! } : null;
  const value: Connection = { approved: row?.approved === true, space: row?.space ?? null, boundary };
  svc.caches.connections.set(key, value);
  return value;
}

export const listConnectors = implement(connectorList, async (_input, ctx) => {
  const rows = await ctx.sql<{ client_id: string; name: string | null; redirect_uris: unknown; scopes: unknown; created_at: Date; space: string | null; tree: string | null; level: number | null }[]>`
    select c.client_id, c.name, c.redirect_uris, co.scopes, co.created_at, s.slug as space, cs.tree::text as tree, cs.level
    from auth.oauth_consent co join auth.oauth_client c on c.client_id = co.client_id
      left join core.connector_space cs on cs.principal_id = co.user_id and cs.client_id = c.client_id
      left join core.space s on s.id = cs.space_id
    where co.user_id = ${ctx.caller.principalId} order by co.created_at desc`;
  return {
    connectors: rows.map((r) => ({
      clientId: r.client_id, name: r.name, redirectHosts: [...new Set(strings(r.redirect_uris).map(hostOf))],
      scopes: strings(r.scopes), space: r.space,
      tree: r.level ? showTree(r.tree ?? '') : null, level: r.level ? (levelName(r.level) as 'read' | 'write') : null,
      approvedAt: iso(r.created_at),
    })),
  };
});

export const revokeConnector = implement(connectorRevoke, async (input, ctx) => {
  const user = ctx.caller.principalId;
  const result = await ctx.sql.begin(async (tx) => {
    const consents = await tx`delete from auth.oauth_consent where user_id = ${user} and client_id = ${input.clientId} returning id`;
    const access = await tx`update auth.oauth_access_token set revoked = now() where user_id = ${user} and client_id = ${input.clientId} and revoked is null returning id`;
    const refresh = await tx`update auth.oauth_refresh_token set revoked = now() where user_id = ${user} and client_id = ${input.clientId} and revoked is null returning id`;
    await tx`delete from core.connector_space where principal_id = ${user} and client_id = ${input.clientId}`;
    return { consents: consents.length, tokens: access.length + refresh.length };
  });
  await invalidate(ctx, { kind: 'connections' });
  if (result.consents === 0 && result.tokens === 0) throw notFound(`connected application "${input.clientId}" (see connector.list)`);
  return { clientId: input.clientId, revoked: true as const, tokens: result.tokens };
});

export const setConnectorBoundary = implement(connectorSetBoundary, async (input, ctx) => {
  const user = ctx.caller.principalId;
  const level = input.level ? levelNumber(input.level) : null;
  const tree = level ? (input.tree ?? '') : null;
  if (input.space) {
    const [row] = await ctx.sql`insert into core.connector_space (principal_id, client_id, space_id, tree, level)
      select ${user}, ${input.clientId}, s.id, ${tree}::ltree, ${level} from core.space s
        join core.space_member sm on sm.space_id = s.id and sm.principal_id = ${user}
      where s.slug = ${input.space}
      on conflict (principal_id, client_id) do update set space_id = excluded.space_id, tree = excluded.tree, level = excluded.level, chosen_at = now()
      returning space_id`;
    if (!row) throw new AppError('NOT_FOUND', `space "${input.space}" not found, or you are not a member of it (see space.list)`, { reason: 'SPACE_NOT_FOUND' });
  } else {
    if (level) throw new AppError('VALIDATION_ERROR', 'space: binding an application to a tree needs the space it is in', { reason: 'INVALID_INPUT' });
    await ctx.sql`delete from core.connector_space where principal_id = ${user} and client_id = ${input.clientId}`;
  }
  await invalidate(ctx, { kind: 'connections' });
  return { clientId: input.clientId, space: input.space, tree: tree === null ? null : showTree(tree), level: input.level ?? null };
});
