-- Runs at every boot before the incremental migrations: extensions and functions that table
-- definitions depend on. Everything here must be idempotent.
create extension if not exists ltree;
create extension if not exists btree_gin;
create extension if not exists btree_gist;

-- Optional extensions: used when the server has them, never required.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'vector') then
    create extension if not exists vector;
  end if;
end $$;

-- uuidv7() is built in from Postgres 18; on 15-17 provide a SQL version (the built-in in
-- pg_catalog wins on 18 because pg_catalog is searched first).
do $$
begin
  if not exists (select 1 from pg_proc where proname = 'uuidv7' and pronamespace = 'pg_catalog'::regnamespace) then
    create or replace function public.uuidv7() returns uuid language sql volatile parallel safe as $f$
      select encode(
        set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
            placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
            from 1 for 6),
          52, 1), 53, 1),
        'hex')::uuid
    $f$;
  end if;
end $$;
