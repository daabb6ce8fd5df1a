import type { Sql } from '../../db/connect.js';
import type { Logger } from '../util/log.js';

// History retention (ME_HISTORY_RETENTION_DAYS): events older than the period are deleted, except
// each memory's newest event while the memory exists (its current version: revert and the feed
// keep a starting point). A deleted memory's newest event is its deletion, whose snapshot is what
// the trash restores: it is kept for the period, then the memory is gone for good.
// Deletes walk the history by id (the primary key) in batches, each its own short statement, so
// retention never holds locks for long nor blocks the embedded database's one session. Events are
// appended in time order, so the walk stops at the first batch that begins inside the period.

const BATCH = 5000;
const FIRST_AFTER_MS = 60_000;
const EVERY_MS = 60 * 60_000;

/** Deletes history events past retention; returns how many. */
export async function pruneHistory(sql: Sql, days: number, opts: { batch?: number } = {}): Promise<number> {
  const batch = opts.batch ?? BATCH;
  const [{ cutoff }] = await sql<[{ cutoff: Date }]>`select now() - make_interval(days => ${days}) as cutoff`;
  let from = '0';
  let deleted = 0;
  for (;;) {
    const [chunk] = await sql<[{ last: string | null; first_at: Date | null }]>`
      select max(id)::text as last, (array_agg(at order by id))[1] as first_at
      from (select id, at from core.memory_history where id > ${from}::bigint order by id limit ${batch}) c`;
    if (chunk.last === null || chunk.first_at! >= cutoff) return deleted;
    const result = await sql`delete from core.memory_history h
      where h.id > ${from}::bigint and h.id <= ${chunk.last}::bigint and h.at < ${cutoff}
        and (h.op = 'delete' or exists (select 1 from core.memory_history later where later.memory_id = h.memory_id and later.id > h.id))`;
    deleted += result.count;
    from = chunk.last;
  }
}

/** Prunes a minute after start, then hourly; returns a stop function that waits for a pass in progress. */
export function startHistoryRetention(sql: Sql, days: number | undefined, log: Logger): () => Promise<void> {
  if (!days) return async () => {};
  let running: Promise<void> | null = null;
  const pass = () => {
    if (running) return;
    running = pruneHistory(sql, days).then(
      (n) => { if (n) log.info('history retention', { deleted: n, days }); },
      (err) => log.warn('history retention failed', { error: String(err) }),
    ).finally(() => { running = null; });
  };
  const first = setTimeout(pass, FIRST_AFTER_MS);
  const timer = setInterval(pass, EVERY_MS);
  first.unref();
  timer.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}
