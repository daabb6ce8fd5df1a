-- The activity feed and the trash look history up by where a memory was: its tree and name at each
-- event, as real columns (written by the history trigger) so Postgres can index them.
alter table core.memory_history add column tree ltree, add column name text;
update core.memory_history set tree = (snapshot->>'tree')::ltree, name = snapshot->>'name';
alter table core.memory_history alter column tree set not null;

-- Feed under a rare prefix (the newest-first scan of memory_history_space_idx serves common ones).
create index memory_history_tree_idx on core.memory_history using gist (space_id, tree);
-- History by path, including memories that no longer exist.
create index memory_history_path_idx on core.memory_history (space_id, tree, name, id) where name is not null;
-- The trash: deletions, newest first.
create index memory_history_deleted_idx on core.memory_history (space_id, id) where op = 'delete';
