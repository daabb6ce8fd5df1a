import type { Context } from 'hono';
import type { Sql } from '../../db/connect.js';

/**
 * A fixed-window limit kept in Postgres, so replicas share it: at most `max` hits per `windowS`
 * seconds per bucket. One upsert per hit.
 */
export async function hitRateLimit(sql: Sql, bucket: string, max: number, windowS: number): Promise<{ ok: true } | { ok: false; retryAfterS: number }> {
  const [row] = await sql<{ hits: number; retry_after: number }[]>`
    insert into core.rate_limit as r (bucket, window_start, hits) values (${bucket}, now(), 1)
    on conflict (bucket) do update set
      hits = case when r.window_start <= now() - make_interval(secs => ${windowS}) then 1 else r.hits + 1 end,
      window_start = case when r.window_start <= now() - make_interval(secs => ${windowS}) then now() else r.window_start end
    returning hits, extract(epoch from (window_start + make_interval(secs => ${windowS}) - now()))::float8 as retry_after`;
  return row!.hits <= max ? { ok: true } : { ok: false, retryAfterS: Math.max(1, Math.ceil(row!.retry_after)) };
}

/**
 * The client's address: the TCP peer, unless the peer is a proxy named in ME_TRUST_PROXY; then the
 * nearest address in X-Forwarded-For that is not one of those proxies. Never the header by default:
 * anyone can send it.
 */
export function clientAddress(c: Context, trustedProxies: readonly string[]): string {
  const peer = plain((c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown');
  if (!trustedProxies.includes(peer)) return peer;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((h) => plain(h.trim())).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  return peer;
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) is `10.0.0.1`. */
const plain = (addr: string) => addr.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
