import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { pg_textsearch } from '@electric-sql/pglite-pg_textsearch';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export const embeddedExtensions = { ltree, pg_trgm, btree_gin, btree_gist, vector, pg_textsearch };

export interface EmbeddedPostgres {
  /** The one PGlite instance. Nothing but the single socket client may talk to it. */
  db: PGlite;
  /** Unix socket path the single client connects to. */
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Opens PGlite (Postgres in WASM) and serves it on a private Unix socket that accepts exactly one
 * connection. PGlite is one Postgres session: every user of the database must share that one
 * connection (see db/connect.ts), otherwise concurrent clients interleave protocol messages.
 */
export async function startEmbedded(opts: { dataDir?: string; loadDataDir?: Blob }): Promise<EmbeddedPostgres> {
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
    extensions: embeddedExtensions,
  });
  // The socket lives in a fresh 0700 directory: only this user can reach it, and Unix socket
  // paths must stay short (108 bytes), which a deep data dir could exceed.
  const socketDir = mkdtempSync(join(tmpdir(), 'me-pg-'));
  const socketPath = join(socketDir, '.s.PGSQL.5432');
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
  await server.start();
  return {
    db,
    socketPath,
    async close() {
      await server.stop();
      await db.close();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
