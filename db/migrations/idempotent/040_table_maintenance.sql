-- What the embedded database's maintenance (db/maintenance.ts) knew about each table after its last
-- pass: PGlite's activity counters start from zero at every open, so sizes are the memory that
-- survives a restart. Re-applied at every boot: create if missing only.
create table if not exists core.table_maintenance (
  name          text primary key,       -- regclass text, e.g. core.memory
  total_bytes   bigint not null,        -- pg_total_relation_size (heap, TOAST, indexes) after the pass
  rows          float8 not null,        -- pg_class.reltuples after the pass
  compact_bytes bigint,                 -- total right after the last VACUUM FULL (null: never rewritten)
  compact_rows  float8,
  at            timestamptz not null default now()
);
