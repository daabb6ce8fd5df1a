-- Full-text search index on the tsvector alone (replacing the (space_id, fts) GIN index).
-- Measured with `npm run bench` on Postgres 15 at 100k memories in one space: with space_id as a
-- GIN column, every search walked the space's whole posting list (a cost that grows with the
-- space, ~1 ms per query at 100k), and its cost estimate pushed the planner towards combining
-- the tree GiST index, which is slow for broad prefixes. The tsvector alone keeps the index
-- scan proportional to the matches; space_id is checked on the matching rows.
-- Trade-off: in a database holding many spaces, a search also visits matches from other spaces;
-- a deployment with thousands of large tenants would partition or shard by space (see README).
create index memory_fts_only_idx on core.memory using gin (fts);
drop index core.memory_fts_idx;
