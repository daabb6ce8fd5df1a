import postgres from 'postgres';
import { startEmbedded, type EmbeddedPostgres } from './embedded.js';

export type Sql = postgres.Sql<{}>;
export type TxSql = postgres.TransactionSql<{}>;

export interface Database {
  /** The app pool (postgres.js). On the embedded database this is the one and only connection. */
  sql: Sql;
  kind: 'embedded' | 'server';
  /** For server Postgres: the URL (better-auth opens its own `pg` pool on it). */
  url?: string;
  embedded?: EmbeddedPostgres;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A server Postgres URL; without it the embedded database is used. */
  url?: string;
  /** Embedded: persist under this directory (in memory when absent). */
  dataDir?: string;
  /** Embedded: start from a dumped data directory (tests clone a migrated template this way). */
  loadDataDir?: Blob;
  /** Server: pool size. */
  max?: number;
  /** Statement timeout in ms (0 = none). Embedded: kept only with a dataDir (db/embedded.ts). */
  statementTimeoutMs?: number;
}

const quiet = { onnotice: () => {} };

/**
 * How a server pool behaves when Postgres goes away: a connection attempt gives up after 3 s, and a
 * failed one is retried after at most 250 ms. postgres.js' own backoff grows with every failure
 * across the pool (to 10–20 s after a few seconds of outage), so requests waited that long during an
 * outage and for that long after Postgres was back. With this, an outage fails requests at once
 * (UNAVAILABLE) and service resumes within a quarter second of Postgres accepting connections.
 * (patches/postgres+3.4.9.patch: a failed connect fails every query waiting for a connection, and a
 * reconnected connection no longer delivers the last life's error to its first query.)
 */
export const OUTAGE_TIMEOUTS = {
  connect_timeout: 3,
  backoff: (retries: number) => Math.min(0.25, (0.5 + Math.random() / 2) * 3 ** retries / 100),
} as const;

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const sql = postgres(opts.url, {
      ...quiet,
      max: opts.max ?? 10,
      idle_timeout: 60,
      ...OUTAGE_TIMEOUTS,
      connection: {
        application_name: 'memory-engine',
        ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
      },
    });
    return { sql, kind: 'server', url: opts.url, close: () => sql.end({ timeout: 5 }) };
  }
  const embedded = await startEmbedded({ dataDir: opts.dataDir, loadDataDir: opts.loadDataDir, statementTimeoutMs: opts.statementTimeoutMs });
  // Exactly one connection, never recycled: PGlite is a single Postgres session, served from a
  // worker thread through an in-process socket (db/embedded.ts).
  // `socket` is supported by postgres.js (src/connection.js createSocket) but not in its types.
  const options: postgres.Options<{}> & { socket: () => unknown } = {
    ...quiet,
    socket: () => embedded.connect(),
    username: 'postgres',
    database: 'postgres',
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: true,
  };
  const sql = postgres(options);
  return {
    sql,
    kind: 'embedded',
    embedded,
    async close() {
      await sql.end({ timeout: 5 });
      await embedded.close();
    },
  };
}
