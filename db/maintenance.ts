import type { Sql } from './connect.js';

// The embedded database has no autovacuum: PGlite runs Postgres as one session, and its activity
// counters stay at zero. Without ANALYZE the planner guesses row counts, and without VACUUM the
// full-text index's pending list keeps growing and index-only scans find no visibility map.
// `npm run bench` at 100k memories (embedded): search p50 7.4 ms with neither, 3.1 ms after
// ANALYZE, 2.1 ms after VACUUM too. This does what autovacuum would, from the catalog alone:
// pg_class.relpages/reltuples record the size at the last VACUUM/ANALYZE.

const EVERY_MS = 60_000;

/** Tables never analyzed, or more than 10 % (and 16 pages) larger than at their last VACUUM/ANALYZE. */
export async function staleTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select c.oid::regclass::text as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
      and pg_relation_size(c.oid) > 0
      and (c.reltuples < 0 or pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * 1.1 + 16)
    order by 1`;
  return rows.map((r) => r.name);
}

/** VACUUM (ANALYZE) every stale table; returns their names. */
export async function maintain(sql: Sql): Promise<string[]> {
  const stale = await staleTables(sql);
  // Names come from the catalog as regclass text, already quoted where needed.
  for (const name of stale) await sql.unsafe(`vacuum (analyze) ${name}`);
  return stale;
}

/**
 * Checks every minute (a catalog query) and maintains what grew. Returns a stop function that
 * waits for a pass in progress, so the database can be closed after it.
 */
export function startMaintenance(sql: Sql, log: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void }) {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    const started = performance.now();
    running = maintain(sql).then(
      (tables) => { if (tables.length) log.info('database maintenance', { tables, ms: Math.round(performance.now() - started) }); },
      (err) => log.warn('database maintenance failed', { error: String(err) }),
    ).finally(() => { running = null; });
  }, EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
