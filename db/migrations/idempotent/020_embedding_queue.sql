-- Queue embeddings when memory text is written. Statement-level triggers with transition tables,
-- so a 1000-row batch costs one queue insert. They are switched on once a server configured with an
-- embedding provider has recorded its model in core.setting ('embedding'); from then on the queue
-- stays current even while no worker runs, and a worker with the same model drains it later.

create or replace function core.queue_embedding_insert() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from core.setting where key = 'embedding') then return null; end if;
  insert into core.embedding_queue as q (memory_id, space_id, version)
  select n.id, n.space_id, n.version from new_rows n
  on conflict (memory_id) do update set
    space_id = excluded.space_id, version = excluded.version, attempts = 0, run_after = now(),
    last_error = null, last_error_at = null, queued_at = now();
  return null;
end $$;

create or replace function core.queue_embedding_update() returns trigger language plpgsql as $$
begin
  if not exists (select 1 from core.setting where key = 'embedding') then return null; end if;
  -- New text: (re)queue for the new version, due now.
  insert into core.embedding_queue as q (memory_id, space_id, version)
  select n.id, n.space_id, n.version from new_rows n join old_rows o on o.id = n.id
  where n.content is distinct from o.content
  on conflict (memory_id) do update set
    space_id = excluded.space_id, version = excluded.version, attempts = 0, run_after = now(),
    last_error = null, last_error_at = null, queued_at = now();
  -- Same text, new version (moved, meta changed): a pending job follows the version, so the
  -- worker's "version still matches" check keeps holding for the text it embeds.
  update core.embedding_queue q set version = n.version, space_id = n.space_id
  from new_rows n join old_rows o on o.id = n.id
  where q.memory_id = n.id and n.content = o.content and n.version <> o.version;
  return null;
end $$;

-- The triggers exist only while embeddings are set up, so a database that never uses them pays
-- nothing on writes (transition tables cost memory and time on large batches).
create or replace function core.set_embedding_queue(enabled boolean) returns void language plpgsql as $$
begin
  drop trigger if exists memory_embedding_insert on core.memory;
  drop trigger if exists memory_embedding_update on core.memory;
  if not enabled then return; end if;
  create trigger memory_embedding_insert after insert on core.memory
    referencing new table as new_rows
    for each statement execute function core.queue_embedding_insert();
  create trigger memory_embedding_update after update on core.memory
    referencing old table as old_rows new table as new_rows
    for each statement execute function core.queue_embedding_update();
end $$;

select core.set_embedding_queue(exists (select 1 from core.setting where key = 'embedding'));
