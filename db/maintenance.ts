import type { Sql } from './connect.js';

// The embedded database has no autovacuum: PGlite runs Postgres as one session. Without ANALYZE the
// planner guesses row counts; without VACUUM dead rows are never reclaimed, and each update of a
// memory leaves its old content in TOAST and its old words in the full-text index (issue 10: 40k
// updates of 100 memories left 88 MB where VACUUM FULL needs 0.47 MB). This does what autovacuum
// would, and more, because plain VACUUM makes dead space reusable but gives nothing back:
// - a table is stale when its activity counters say so (dead rows in the heap and its TOAST, rows
//   changed since ANALYZE, rows inserted since VACUUM: PGlite 0.5.14 keeps them while it runs, but
//   starts from zero at every open), or when its total size (heap + TOAST + indexes) grew since
//   the last pass (recorded in core.table_maintenance: that survives a restart);
// - a stale table gets VACUUM (ANALYZE); if it is then more than twice the size it had right after
//   its last rewrite (scaled by its row count) plus some slack, VACUUM FULL rewrites it, its TOAST
//   and its indexes. A rewrite costs time in proportion to the live data and happens only after at
//   least that much garbage or growth, so its amortized cost is constant per byte written (measured
//   on PGlite: 0.12 s for 100 memories, 5.9 s for 100k).
// - PGlite never checkpoints on its own (Postgres asks for a checkpoint as WAL grows only under a
//   postmaster), so its WAL grew without end while the server ran (433 MB of pg_wal next to 108 MB
//   of tables after 20k creates + 40k updates), and a crash would replay all of it. A pass runs
//   CHECKPOINT once 32 MB of WAL were written since the last one; pg_wal then stays at 64-80 MB.
// One catalog query per pass when nothing changed.

const EVERY_MS = 60_000;
/** Rewrite a table when it is this many times the size its live rows need… */
const REWRITE_FACTOR = 2;
/** …plus this much: small tables are never worth a rewrite. */
const SLACK_BYTES = 8 * 1024 * 1024;
/** A rewrite's bytes-per-row is trusted to scale only when measured over this many rows. */
const MIN_BASELINE_ROWS = 1000;
/** CHECKPOINT once this much WAL was written since the last one. */
const CHECKPOINT_WAL_BYTES = 32 * 1024 * 1024;

export interface MaintenanceOptions {
  /** Bytes a table may exceed twice its live size by before it is rewritten (default 8 MiB). */
  slackBytes?: number;
  /** true: VACUUM (ANALYZE) only, as autovacuum does on a server (no VACUUM FULL, no CHECKPOINT). */
  vacuumOnly?: boolean;
}

export interface MaintenanceReport {
  tables: Maintained[];
  /** WAL bytes written since the last checkpoint, when this pass ran CHECKPOINT. */
  checkpointAfterBytes?: number;
}

export interface TableState {
  name: string;
  /** pg_total_relation_size: heap, TOAST and indexes. */
  total: number;
  /** pg_class.reltuples (-1: never analyzed). */
  rows: number;
  /** Dead rows in the heap and its TOAST table, since the database was opened. */
  dead: number;
  modified: number;
  inserted: number;
  /** Total size after the last pass (null: never maintained). */
  recorded: number | null;
  compactBytes: number | null;
  compactRows: number | null;
}

export interface Maintained {
  table: string;
  /** Rewritten by VACUUM FULL (otherwise VACUUM ANALYZE only). */
  rewritten: boolean;
  bytesBefore: number;
  bytesAfter: number;
}

/** Every user table with its size, counters and what the last pass recorded. */
export async function tableStates(sql: Sql, only?: string): Promise<TableState[]> {
  const rows = await sql<{ [K in keyof TableState]: string | null }[]>`
    select c.oid::regclass::text as name, pg_total_relation_size(c.oid) as total, c.reltuples as rows,
      coalesce(s.n_dead_tup, 0) + coalesce(ts.n_dead_tup, 0) as dead,
      coalesce(s.n_mod_since_analyze, 0) as modified, coalesce(s.n_ins_since_vacuum, 0) as inserted,
      m.total_bytes as recorded, m.compact_bytes as "compactBytes", m.compact_rows as "compactRows"
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_all_tables s on s.relid = c.oid
      left join pg_stat_all_tables ts on ts.relid = c.reltoastrelid
      left join core.table_maintenance m on m.name = c.oid::regclass::text
    where c.relkind = 'r' and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
      and pg_relation_size(c.oid) > 0 ${only ? sql`and c.oid = ${only}::regclass` : sql``}
    order by 1`;
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    name: r.name!, total: num(r.total)!, rows: num(r.rows)!, dead: num(r.dead)!, modified: num(r.modified)!,
    inserted: num(r.inserted)!, recorded: num(r.recorded), compactBytes: num(r.compactBytes), compactRows: num(r.compactRows),
  }));
}

/** Why a table needs VACUUM (ANALYZE) now, or null. Thresholds are autovacuum's defaults. */
export function staleness(t: TableState): string | null {
  const rows = Math.max(t.rows, 0);
  if (t.rows < 0) return 'never analyzed';
  if (t.dead > 50 + 0.2 * rows) return `${t.dead} dead rows`;
  if (t.modified > 50 + 0.1 * rows) return `${t.modified} rows changed since ANALYZE`;
  // Keeps the visibility map current for index-only scans (autovacuum_vacuum_insert_threshold).
  if (t.inserted > 1000 + 0.2 * rows) return `${t.inserted} rows inserted since VACUUM`;
  // Counters restart at zero on every open; the size we recorded does not.
  if (t.recorded === null) return 'never maintained';
  if (t.total > t.recorded * 1.1 + 16 * 8192) return `grew from ${t.recorded} to ${t.total} bytes`;
  return null;
}

/** Tables that need maintenance now (a catalog query; nothing else). */
export async function staleTables(sql: Sql): Promise<string[]> {
  return (await tableStates(sql)).filter((t) => staleness(t) !== null).map((t) => t.name);
}

/** The size a table's live rows need, from its last rewrite (0 when never rewritten). */
function compactSize(t: TableState): number {
  if (t.compactBytes === null || t.compactRows === null) return 0;
  return t.compactRows >= MIN_BASELINE_ROWS ? (t.compactBytes * Math.max(t.rows, 0)) / t.compactRows : t.compactBytes;
}

/**
 * Runs a utility statement with no statement timeout: a rewrite may take longer than a query may.
 * RESET returns to the session's own setting (the server's connection parameter); the embedded
 * database's time bound recognizes both statements (db/embedded-socket.ts).
 */
async function untimed(sql: Sql, statement: string) {
  const conn = await sql.reserve();
  try {
    await conn`set statement_timeout = 0`;
    try {
      await conn.unsafe(statement);
    } finally {
      await conn`reset statement_timeout`;
    }
  } finally {
    conn.release();
  }
}

/** VACUUM (ANALYZE) one table, then VACUUM FULL it if it is still far larger than its live rows need. */
async function maintainTable(sql: Sql, before: TableState, slack: number, rewrite: boolean): Promise<Maintained> {
  // Names come from the catalog as regclass text, already quoted where needed.
  await untimed(sql, `vacuum (analyze) ${before.name}`);
  let after = (await tableStates(sql, before.name))[0] ?? before;
  const rewritten = rewrite && after.total > REWRITE_FACTOR * compactSize(after) + slack;
  if (rewritten) {
    await untimed(sql, `vacuum (full, analyze) ${after.name}`);
    after = (await tableStates(sql, before.name))[0] ?? after;
  }
  await sql`insert into core.table_maintenance as m (name, total_bytes, rows, compact_bytes, compact_rows)
    values (${after.name}, ${after.total}, ${after.rows}, ${rewritten ? after.total : null}, ${rewritten ? after.rows : null})
    on conflict (name) do update set total_bytes = excluded.total_bytes, rows = excluded.rows, at = now(),
      compact_bytes = coalesce(excluded.compact_bytes, m.compact_bytes), compact_rows = coalesce(excluded.compact_rows, m.compact_rows)`;
  return { table: after.name, rewritten, bytesBefore: before.total, bytesAfter: after.total };
}

/** WAL written since the last checkpoint's redo point, in bytes. */
export async function walSinceCheckpoint(sql: Sql): Promise<number> {
  const [row] = await sql<[{ bytes: string }]>`select pg_current_wal_lsn() - (select redo_lsn from pg_control_checkpoint()) as bytes`;
  return Number(row.bytes);
}

/** Maintains every stale table, then checkpoints if WAL piled up; returns what it did. */
export async function maintain(sql: Sql, opts: MaintenanceOptions = {}): Promise<MaintenanceReport> {
  const tables: Maintained[] = [];
  for (const t of await tableStates(sql)) {
    if (staleness(t) !== null) tables.push(await maintainTable(sql, t, opts.slackBytes ?? SLACK_BYTES, !opts.vacuumOnly));
  }
  if (opts.vacuumOnly) return { tables };
  const wal = await walSinceCheckpoint(sql);
  if (wal < CHECKPOINT_WAL_BYTES) return { tables };
  await untimed(sql, 'checkpoint');
  return { tables, checkpointAfterBytes: wal };
}

/**
 * Checks every minute (one catalog query) and maintains what changed. Returns a stop function that
 * waits for a pass in progress, so the database can be closed after it.
 */
export function startMaintenance(sql: Sql, log: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void }) {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    const started = performance.now();
    running = maintain(sql).then(
      (done) => {
        if (done.tables.length || done.checkpointAfterBytes) log.info('database maintenance', { ...done, ms: Math.round(performance.now() - started) });
      },
      (err) => log.warn('database maintenance failed', { error: String(err) }),
    ).finally(() => { running = null; });
  }, EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
