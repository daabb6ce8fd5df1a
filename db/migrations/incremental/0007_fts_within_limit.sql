-- Full text within Postgres' limit: a tsvector holds at most 1 MB (lexemes and positions), and
-- content within our 1 MB limit can need more (e.g. 1 MB of distinct words or random tokens), which
-- made such writes fail. core.memory_fts indexes the whole content when its vector fits, else the
-- longest prefix of half, a quarter, … of the content that does (README "Search"). Content up to
-- 100,000 bytes always fits (the worst text measured, distinct hyphenated CJK words, needs ~3 bytes
-- of tsvector per byte), so it takes the plain path; only larger content pays for the
-- subtransaction that catches the limit.
create function core.memory_fts(name text, content text) returns tsvector
  language plpgsql immutable parallel safe
as $$
declare
  chars integer := length(content);
begin
  if octet_length(content) <= 100000 then
    return setweight(to_tsvector('english', coalesce(name, '')), 'A') || setweight(to_tsvector('english', content), 'B');
  end if;
  loop
    begin
      return setweight(to_tsvector('english', coalesce(name, '')), 'A') || setweight(to_tsvector('english', left(content, chars)), 'B');
    exception when program_limit_exceeded then
      chars := chars / 2;
    end;
  end loop;
end $$;

-- A generated column's expression cannot be changed in place on Postgres 15: replace the column
-- (its GIN index goes with it) and rebuild the index exactly as migration 0005 made it.
alter table core.memory drop column fts;
alter table core.memory add column fts tsvector generated always as (core.memory_fts(name, content)) stored;
create index memory_fts_tree_idx on core.memory using gin (fts, tree_ancestors);
