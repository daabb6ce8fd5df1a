-- History trigger: every change to core.memory writes an event in the same transaction. The
-- actor and operation id come from transaction-local settings (me.actor, me.operation) that the
-- server sets; a change made by hand in psql is still recorded, with no actor.
create or replace function core.record_memory_history() returns trigger language plpgsql as $$
declare
  actor uuid := nullif(current_setting('me.actor', true), '')::uuid;
  op_id text := nullif(current_setting('me.operation', true), '');
  row_ core.memory;
begin
  if tg_op = 'DELETE' then
    row_ := old;
    -- The whole space is being deleted (cascade): its history goes with it.
    if not exists (select 1 from core.space where id = old.space_id) then return null; end if;
  else
    row_ := new;
    -- Writes that do not change the memory itself (e.g. storing its embedding) keep the version.
    if tg_op = 'UPDATE' and new.version = old.version then return null; end if;
  end if;
  insert into core.memory_history (space_id, memory_id, version, op, tree, name, snapshot, actor_id, operation_id)
  values (row_.space_id, row_.id, row_.version, lower(tg_op), row_.tree, row_.name,
          jsonb_build_object(
            'tree', row_.tree::text, 'name', row_.name, 'content', row_.content, 'meta', row_.meta,
            'temporal', case when row_.temporal is null then null else jsonb_build_object(
              'start', lower(row_.temporal), 'end', case when upper(row_.temporal) = lower(row_.temporal) then null else upper(row_.temporal) end) end,
            'createdBy', row_.created_by, 'createdAt', row_.created_at, 'updatedAt', row_.updated_at),
          actor, op_id);
  return null;
end $$;

drop trigger if exists memory_history on core.memory;
create trigger memory_history after insert or update or delete on core.memory
  for each row execute function core.record_memory_history();
