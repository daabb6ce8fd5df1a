-- RFC 8628 device authorization (`me login --device`, the /device page): the record of
-- @better-auth/oauth-provider's oauthDeviceAuthorization (better-auth's deviceCode model plus the
-- OAuth grant's resources and oauthClientId), mapped in server/auth/tables.ts. As in 0003_auth.sql
-- ids come from the database and user ids are uuids referencing auth.users; user and device codes
-- are unique (better-auth generates both indexes).
create table auth.device_codes (
  id               uuid primary key default uuidv7(),
  device_code      text not null unique,
  user_code        text not null unique,
  user_id          uuid references auth.users (id) on delete cascade,
  expires_at       timestamptz not null,
  status           text not null,
  last_polled_at   timestamptz,
  polling_interval integer,
  client_id        text,
  scope            text,
  resources        jsonb,
  oauth_client_id  text
);
create index device_codes_expires_at_idx on auth.device_codes (expires_at);

-- The first-party CLI may use the device grant as well as the authorization code.
update auth.oauth_client
  set grant_types = grant_types || '["urn:ietf:params:oauth:grant-type:device_code"]'::jsonb
  where client_id = 'me-cli' and not grant_types ? 'urn:ietf:params:oauth:grant-type:device_code';
