-- Fixed-window rate limits shared by every server on the database (server/util/rate-limit.ts):
-- one row per bucket (e.g. "dcr:<client address>"), swept by auth.cleanup_expired().
create table core.rate_limit (
  bucket text primary key,
  window_start timestamptz not null,
  hits integer not null
);

-- The first-party CLI may ask for space:admin (administration: roster, grants, spaces, invitations,
-- keys, connections). Third-party clients get it only when their user ticks it on the consent page.
update auth.oauth_client
set scopes = '["openid", "profile", "email", "offline_access", "memory:read", "memory:write", "space:admin"]'
where client_id = 'me-cli';
