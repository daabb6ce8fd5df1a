import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { openDatabase, type Database, type OpenOptions } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { loadConfig } from '../../server/config.js';
import type { RunningServer } from '../../server/start.js';
import { packageRoot } from '../../db/package-root.js';
import { buildIfStale } from '../../scripts/build-if-stale.js';
import { RpcClient } from './http.js';
import { embeddedTargets, serverTargets, type Targets } from './targets.js';

/** A running server on one kind of database, with what every measurement needs. */
export interface BenchTarget {
  /** "embedded" or "server PG": the first column of the table. */
  label: string;
  kind: 'embedded' | 'server';
  db: Database;
  server: RunningServer;
  /** The bootstrap owner's API key (full access to the "default" space). */
  key: string;
  rpc: RpcClient;
  targets: Targets;
  /** The embedded database's files (absent on server Postgres). */
  pgDir?: string;
  /** Memories currently stored (the bench grows this). */
  count: number;
  /** Floor figures measured in this run (e.g. `get` req/s), for rows measured later to compare against. */
  floors: Record<string, number>;
  close(): Promise<void>;
}

// Silent by default (logging every request would be measured too); BENCH_LOG_LEVEL=error shows failures.
const env = { ME_PORT: '0', ME_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent' };

/**
 * The server as `npm start` runs it: compiled by tsc (dist/), not transformed on the fly by tsx,
 * whose keepNames helpers (a defineProperty per closure created) cost ~15 % of memory.get's handler CPU.
 */
async function compiledServer(): Promise<typeof import('../../server/start.js')> {
  buildIfStale();
  return import(pathToFileURL(join(packageRoot, 'dist/server/start.js')).href);
}

async function serve(db: Database, label: string, targets: Targets, cleanup: () => Promise<void>, pgDir?: string): Promise<BenchTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'me-bench-'));
  const config = loadConfig({ ...process.env, ...env, ME_DATA_DIR: dataDir, DATABASE_URL: undefined });
  const { startServer } = await compiledServer();
  const server = await startServer(config, { database: db });
  const key = server.bootstrap!.key;
  const rpc = new RpcClient(server.url, key);
  return {
    label, kind: db.kind, db, server, key, rpc, targets, count: 0, floors: {}, pgDir,
    async close() {
      rpc.close();
      await server.close();
      await db.close();
      await cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Migrates on a first connection, then opens the one the server uses: postgres.js learns array
 * types (ltree[]) only when it connects, so a connection opened before the extension existed
 * cannot send ltree[] parameters (the bench measures a server's steady state, not its first run).
 */
async function openMigrated(opts: OpenOptions): Promise<Database> {
  const first = await openDatabase(opts);
  await migrate(first.sql);
  await first.close();
  return openDatabase(opts);
}

/** The embedded database (PGlite) in a temporary directory, as `npm start` runs it. */
export async function embeddedTarget(): Promise<BenchTarget> {
  const dir = mkdtempSync(join(tmpdir(), 'me-bench-pg-'));
  const db = await openMigrated({ dataDir: dir });
  return serve(db, 'embedded', embeddedTargets, async () => rmSync(dir, { recursive: true, force: true }), dir);
}

/** A fresh database on the given server Postgres, dropped on close. */
export async function serverTarget(adminUrl: string, poolMax: number): Promise<BenchTarget> {
  const name = `me_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = '/' + name;
  const db = await openMigrated({ url: url.toString(), max: poolMax, statementTimeoutMs: 15_000 });
  return serve(db, 'server PG', serverTargets, async () => {
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await a.end();
  });
}
