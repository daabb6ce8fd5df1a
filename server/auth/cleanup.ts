import type { Sql } from '../../db/connect.js';
import type { Logger } from '../util/log.js';

const EVERY_MS = 10 * 60_000;

/** Deletes expired sessions, verifications, tokens and dead invitations (auth.cleanup_expired()). */
export async function cleanupExpiredAuth(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql<{ kind: string; deleted: string }[]>`select kind, deleted from auth.cleanup_expired()`;
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.deleted)]));
}

/** Runs the sweep every 10 minutes; returns a stop function. */
export function startAuthCleanup(sql: Sql, log: Logger): () => void {
  const timer = setInterval(() => {
    cleanupExpiredAuth(sql).then(
      (counts) => { if (Object.values(counts).some((n) => n > 0)) log.info('auth cleanup', counts); },
      (err) => log.warn('auth cleanup failed', { error: String(err) }),
    );
  }, EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
