import { Hono } from 'hono';
import { SCHEMA_VERSION } from '../../db/migrate.js';
import { AppError } from '../../contracts/errors.js';
import type { Services } from '../context.js';
import type { CredentialVerifiers } from '../auth/authenticate.js';
import { rpcError } from '../rpc/jsonrpc.js';
import { bodyLimit } from './body-limit.js';
import { rpcRoute } from './rpc-route.js';
import { version } from '../version.js';

export interface AppOptions {
  bodyLimit: number;
  verifiers: CredentialVerifiers;
  /** Mounts more routes (auth, MCP, web pages) on the same app. */
  extend?: (app: Hono) => void;
}

export function createApp(svc: Services, opts: AppOptions): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ ok: true }));
  app.get('/ready', async (c) => {
    try {
      await svc.sql`select 1`;
      return c.json({ ok: true, database: svc.db.kind });
    } catch {
      return c.json({ ok: false, error: 'the database is not reachable' }, 503);
    }
  });
  app.get('/api/v1/version', (c) => c.json({ version, schema: SCHEMA_VERSION }));

  const limit = bodyLimit({
    maxSize: opts.bodyLimit,
    onError: (c) => c.json(rpcError(null, new AppError('PAYLOAD_TOO_LARGE',
      `the request body is larger than ${opts.bodyLimit} bytes; split it (e.g. smaller batches) or raise ME_BODY_LIMIT`), () => {}), 413),
  });
  app.post('/api/v1/memory/rpc', limit, rpcRoute(svc, 'memory', opts.verifiers));
  app.post('/api/v1/user/rpc', limit, rpcRoute(svc, 'user', opts.verifiers));
  opts.extend?.(app);

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    svc.log.error('unhandled', { path: c.req.path, error: String(err?.stack ?? err) });
    return c.json({ error: 'internal error; it has been logged' }, 500);
  });
  return app;
}
