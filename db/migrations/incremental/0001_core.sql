-- The core data model: principals, spaces, roster, grants, API keys, memories and their history.
-- Every table that holds space data is keyed by space_id first, so the schema can be distributed
-- by space (e.g. Citus) without rewriting queries.
create schema if not exists core;

create table core.principal (
  id          uuid primary key default uuidv7(),
  kind        text not null check (kind in ('user', 'service')),
  name        text not null check (length(name) between 1 and 200),
  email       text,
  -- A service account (an agent) belongs to the user who created it.
  owner_id    uuid references core.principal (id) on delete cascade,
  created_at  timestamptz not null default now(),
  check ((kind = 'service') = (owner_id is not null) or (kind = 'user' and owner_id is null))
);
create unique index principal_email_key on core.principal (lower(email)) where email is not null;
create index principal_owner_idx on core.principal (owner_id) where owner_id is not null;

create table core.space (
  id          uuid primary key default uuidv7(),
  slug        text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text not null check (length(name) between 1 and 200),
  personal    boolean not null default false,
  created_by  uuid references core.principal (id) on delete set null,
  created_at  timestamptz not null default now()
);

-- The roster: who belongs to a space, and who administers it.
create table core.space_member (
  space_id      uuid not null references core.space (id) on delete cascade,
  principal_id  uuid not null references core.principal (id) on delete cascade,
  role          text not null default 'member' check (role in ('member', 'admin')),
  added_at      timestamptz not null default now(),
  primary key (space_id, principal_id)
);
create index space_member_principal_idx on core.space_member (principal_id);

-- Grants: read (1) / write (2) / owner (3) on a tree prefix; additive and hierarchical.
create table core.grant (
  space_id      uuid not null,
  principal_id  uuid not null,
  tree_prefix   ltree not null,
  level         smallint not null check (level between 1 and 3),
  created_at    timestamptz not null default now(),
  primary key (space_id, principal_id, tree_prefix),
  foreign key (space_id, principal_id) references core.space_member (space_id, principal_id) on delete cascade
);

-- API keys: me.<lookup_id>.<secret>; only sha256(secret) is stored.
create table core.api_key (
  id            uuid primary key default uuidv7(),
  lookup_id     text not null unique,
  secret_hash   bytea not null,
  principal_id  uuid not null references core.principal (id) on delete cascade,
  name          text not null check (length(name) between 1 and 200),
  -- null = the holder's full grants; otherwise [{"space": uuid|null, "tree": "a.b", "level": 1..3}]
  restriction   jsonb check (restriction is null or jsonb_typeof(restriction) = 'array'),
  expires_at    timestamptz,
  last_used_at  timestamptz,
  created_by    uuid references core.principal (id) on delete set null,
  created_at    timestamptz not null default now()
);
create index api_key_principal_idx on core.api_key (principal_id);

create table core.memory (
  id          uuid primary key default uuidv7(),
  space_id    uuid not null references core.space (id) on delete cascade,
  tree        ltree not null default '',
  name        text check (name ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'),
  content     text not null check (octet_length(content) <= 1048576),
  meta        jsonb not null default '{}' check (jsonb_typeof(meta) = 'object'),
  temporal    tstzrange,
  created_by  uuid references core.principal (id) on delete set null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  version     integer not null default 1,
  fts         tsvector generated always as (
                setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
                setweight(to_tsvector('english', content), 'B')) stored
);
create unique index memory_name_key on core.memory (space_id, tree, name) where name is not null;
create index memory_tree_idx on core.memory using gist (space_id, tree);
create index memory_fts_idx on core.memory using gin (space_id, fts);
create index memory_meta_idx on core.memory using gin (meta jsonb_path_ops);
create index memory_temporal_idx on core.memory using gist (space_id, temporal) where temporal is not null;
create index memory_space_created_idx on core.memory (space_id, id);

-- Every insert/update/delete of a memory, written by trigger in the same transaction.
create table core.memory_history (
  id            bigint generated always as identity primary key,
  space_id      uuid not null references core.space (id) on delete cascade,
  memory_id     uuid not null,
  version       integer not null,
  op            text not null check (op in ('insert', 'update', 'delete')),
  snapshot      jsonb not null,
  actor_id      uuid,
  operation_id  text,
  at            timestamptz not null default now()
);
create index memory_history_memory_idx on core.memory_history (memory_id, id);
create index memory_history_space_idx on core.memory_history (space_id, id);

-- Key/value settings the server and triggers consult (e.g. the configured embedding model).
create table core.setting (
  key    text primary key,
  value  jsonb not null
);
