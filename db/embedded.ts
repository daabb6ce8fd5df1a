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
import { lockDataDir, removeStaleSocketDirs } from './lock.js';

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
  // Before anything touches the files: a second server on the same dir stops here (db/lock.ts).
  const unlock = opts.dataDir ? lockDataDir(opts.dataDir) : () => {};
  let socketDir: string | undefined;
  const removeSocketDir = () => { if (socketDir) rmSync(socketDir, { recursive: true, force: true }); };
  try {
    if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    removeStaleSocketDirs();
    const db = await PGlite.create({
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
      extensions: embeddedExtensions,
    });
    // The socket lives in a fresh 0700 directory: only this user can reach it, and Unix socket
    // paths must stay short (108 bytes), which a deep data dir could exceed. Its name carries our
    // pid, so a later start can tell a dead server's leftover (kill -9) from a live one's.
    socketDir = mkdtempSync(join(tmpdir(), `me-pg-${process.pid}-`));
    process.once('exit', removeSocketDir);
    const socketPath = join(socketDir, '.s.PGSQL.5432');
    const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
    await server.start();
    return {
      db,
      socketPath,
      async close() {
        await server.stop();
        await db.close();
        removeSocketDir();
        process.removeListener('exit', removeSocketDir);
        unlock();
      },
    };
  } catch (err) {
    removeSocketDir();
    unlock();
    throw err;
  }
}
