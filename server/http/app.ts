import { Hono } from 'hono';
import { SCHEMA_VERSION } from '../../db/migrate.js';
import type { Services } from '../context.js';
import type { Audience, CredentialVerifiers } from '../auth/authenticate.js';
import { classifyError } from '../util/pg-errors.js';
import { bodyLimits, errorResponse, INTERNAL_ERROR_BODY, requestId, type EdgeEnv } from './edge.js';
import { rpcRoute, type NodeRoute } from './rpc-route.js';
import { version } from '../version.js';

export interface AppOptions {
  bodyLimit: number;
  verifiers: CredentialVerifiers;
  /** The API's audience: tokens for `<origin>/api/v1`, cookies from our pages, the CLI's unbound tokens. */
  apiAudience: () => Audience;
  /** Mounts more routes (auth, MCP, web pages) on the same app, behind the same edge. */
  extend?: (app: Hono<EdgeEnv>) => void;
}

/** What the HTTP server serves: the Hono app, and POST routes it hands Node's request directly. */
export interface ServedApp {
  hono: Hono<EdgeEnv>;
  /** By exact path (no query string): the JSON-RPC endpoints, the API's hot path. */
  postRoutes: ReadonlyMap<string, NodeRoute>;
}

const READY_WITHIN_MS = 1000;

export function createApp(svc: Services, opts: AppOptions): ServedApp {
  const app = new Hono<EdgeEnv>();
  app.use('*', requestId, bodyLimits(opts.bodyLimit));
  app.get('/health', (c) => c.json({ ok: true }));
  // Ready = the database answers within a second; never waits longer than that.
  app.get('/ready', async (c) => {
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      svc.sql`select 1`.then(() => true, () => false),
      new Promise<false>((r) => (timer = setTimeout(r, READY_WITHIN_MS, false))),
    ]);
    clearTimeout(timer);
    if (answered) return c.json({ ok: true, database: svc.db.kind });
    c.header('retry-after', '1');
    return c.json({ ok: false, error: `the database did not answer within ${READY_WITHIN_MS} ms` }, 503);
  });
  app.get('/api/v1/version', (c) => c.json({ version, schema: SCHEMA_VERSION }));
  opts.extend?.(app);

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    // A route that let a known error through (better-auth's, during a database outage) still answers
    // with its meaning (503 + Retry-After for UNAVAILABLE), never 500.
    if (classifyError(err)) return errorResponse(c, err);
    svc.log.error('unhandled', { path: c.req.path, requestId: c.get('requestId'), error: String(err?.stack ?? err) });
    return c.json(INTERNAL_ERROR_BODY, 500);
  });
  const postRoutes = new Map((['memory', 'user'] as const).map((endpoint) =>
    [`/api/v1/${endpoint}/rpc`, rpcRoute(svc, endpoint, opts.verifiers, opts.apiAudience, opts.bodyLimit)]));
  return { hono: app, postRoutes };
}
