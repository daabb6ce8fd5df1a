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

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const sql = postgres(opts.url, {
      ...quiet,
      max: opts.max ?? 10,
      idle_timeout: 60,
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
