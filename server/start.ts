import type { Hono } from 'hono';
import { openDatabase, type Database } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { startMaintenance } from '../db/maintenance.js';
import { startHistoryRetention } from './memory/retention.js';
import { flushKeyUsage } from './auth/api-keys.js';
import { startAuthCleanup } from './auth/cleanup.js';
import { startAuth, type AuthRuntime } from './auth/runtime.js';
import { mountWeb } from './http/web.js';
import { bootstrapIfEmpty, type Bootstrap } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import type { Services } from './context.js';
import { startEmbeddings } from './embeddings/service.js';
import { createApp } from './http/app.js';
import { mountMcp } from './mcp/http.js';
import { mountRegistration } from './mcp/dcr.js';
import { createCaches } from './caches.js';
import { listenForChanges } from './invalidation.js';
import type { EdgeEnv } from './http/edge.js';
import { listen, type Listener } from './http/listen.js';
import { createLogger, type Logger } from './util/log.js';

export interface RunningServer {
  url: string;
  services: Services;
  bootstrap: Bootstrap | null;
  /** better-auth, the OAuth AS and the credential verifiers (AUTH_DESIGN.md). */
  auth: AuthRuntime;
  /**
   * Graceful shutdown: stops accepting, lets in-flight requests finish (their responses, and those
   * to requests still arriving on open connections, say `Connection: close`), then stops the
   * background work and flushes, checkpoints and closes the database.
   */
  close(): Promise<void>;
  /** Requests whose response has not finished. */
  inFlight(): number;
  /** Cuts every connection (the shutdown deadline passed). */
  abort(): void;
}

export interface StartOptions {
  /** Use this database instead of opening one from the config (tests share a template clone). */
  database?: Database;
  logger?: Logger;
  /** Bind the port only once the server can serve: a cluster worker after the first (server/cluster.ts), on the port the primary holds. */
  listenWhenReady?: { port: number };
  extend?: (app: Hono<EdgeEnv>, svc: Services) => void;
}

async function detectFeatures(db: Database) {
  const rows = await db.sql<{ extname: string }[]>`select extname from pg_extension where extname in ('vector', 'pg_textsearch')`;
  const names = new Set(rows.map((r) => r.extname));
  return { vector: names.has('vector'), bm25: names.has('pg_textsearch') };
}

/**
 * Listens first (a busy port fails before the database is touched; requests meanwhile get 503 with
 * Retry-After), then opens and migrates the database, bootstraps an empty one, and serves until close().
 */
export async function startServer(config: ServerConfig, opts: StartOptions = {}): Promise<RunningServer> {
  const log = opts.logger ?? createLogger({ level: config.logLevel });
  const http = await listen(config.host, config.port, { untilServing: opts.listenWhenReady });
  let db: Database | undefined;
  try {
    db = opts.database ?? await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir + '/pg',
      max: config.poolMax,
      statementTimeoutMs: config.statementTimeoutMs,
    });
    return await serve(config, opts, log, http, db);
  } catch (err) {
    await http.drain();
    if (db && !opts.database) await db.close().catch(() => {});
    throw err;
  }
}

async function serve(config: ServerConfig, opts: StartOptions, log: Logger, http: Listener, db: Database): Promise<RunningServer> {
  const url = http.url; // /mcp validates Host/Origin against it; the auth issuer defaults to it
  const { applied } = await migrate(db.sql, (m) => log.info(m));
  const features = await detectFeatures(db);
  const embedder = await startEmbeddings(db.sql, features, config.embedding, log);
  const embeddings = embedder.provider;
  const services: Services = { db, sql: db.sql, log, features, embeddings, caches: createCaches() };
  const stopListening = await listenForChanges(services); // other servers' revocations (server/invalidation.ts)
  const bootstrap = await bootstrapIfEmpty(db.sql, config.dataDir);

  const auth = await startAuth(services, config, config.publicUrl ?? url);
  await http.serve(createApp(services, {
    bodyLimit: config.bodyLimit,
    verifiers: auth.verifiers,
    apiAudience: () => ({ resource: auth.resources.api, cookies: true, unboundTokens: true }),
    extend: (a) => {
      mountRegistration(a, services, { mcpResource: () => auth.resources.mcp, trustProxy: config.trustProxy }); // before better-auth's catch-all (server/mcp/dcr.ts)
      auth.mount(a);
      mountWeb(a);
      mountMcp(a, services, { publicUrl: config.publicUrl, listenUrl: () => url, verifiers: auth.verifiers });
      opts.extend?.(a, services);
    },
  }));
  log.info('listening', { url, database: db.kind, migrations: applied.length, vector: features.vector, bm25: features.bm25 });

  const usageTimer = setInterval(() => flushKeyUsage(services).catch((e) => log.warn('key usage flush failed', { error: String(e) })), 30_000);
  usageTimer.unref();
  const stopAuthCleanup = startAuthCleanup(db.sql, log);
  // Server Postgres has autovacuum; the embedded database does not (db/maintenance.ts).
  const stopMaintenance = db.kind === 'embedded' ? startMaintenance(db.sql, log) : async () => {};
  const stopRetention = startHistoryRetention(db.sql, config.historyRetentionDays, log);

  let closing: Promise<void> | undefined;
  return {
    url,
    services,
    bootstrap,
    auth,
    inFlight: http.inFlight,
    abort: http.destroy,
    close() {
      closing ??= (async () => {
        clearInterval(usageTimer);
        stopAuthCleanup();
        // Stop accepting, let in-flight requests finish, then release the database.
        await http.drain();
        await embedder.stop();
        await stopListening();
        await flushKeyUsage(services).catch(() => {});
        await auth.close();
        await stopRetention();
        await stopMaintenance();
        if (opts.database) return;
        // The embedded database writes its pages at a checkpoint: one now makes the next open quick.
        if (db.kind === 'embedded') await db.sql`checkpoint`.catch((e) => log.warn('checkpoint at shutdown failed', { error: String(e) }));
        await db.close();
      })();
      return closing;
    },
  };
}
