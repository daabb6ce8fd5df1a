-- The embedding queue: memories whose embedding is missing or out of date, one row per memory.
-- Triggers (idempotent/020_embedding_queue.sql) fill it when content is written; the server's
-- in-process worker claims rows with FOR UPDATE SKIP LOCKED. The `embedding vector(D)` column
-- itself is added at boot (server/embeddings/setup.ts): its dimensions come from the configuration
-- and it exists only where the pgvector extension does.
create table core.embedding_queue (
  memory_id      uuid primary key references core.memory (id) on delete cascade,
  space_id       uuid not null,
  -- The memory version to embed: a result computed for another version is discarded.
  version        integer not null,
  attempts       integer not null default 0,
  -- When the row may next be claimed: pushed forward as a lease while a worker holds it, and as
  -- an exponential backoff after a failure.
  run_after      timestamptz not null default now(),
  last_error     text,
  last_error_at  timestamptz,
  queued_at      timestamptz not null default now()
);
create index embedding_queue_run_idx on core.embedding_queue (run_after);
create index embedding_queue_space_idx on core.embedding_queue (space_id);
