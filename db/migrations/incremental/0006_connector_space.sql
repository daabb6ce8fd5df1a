-- The space a connected MCP/OAuth application uses for a user (chosen on the consent page or with
-- connector.setSpace). Keyed by space id, so renaming the space keeps the choice; deleting the
-- space, the user or (via cleanup in connector.revoke) the connection removes it.
create table core.connector_space (
  principal_id  uuid not null references core.principal (id) on delete cascade,
  client_id     text not null,
  space_id      uuid not null references core.space (id) on delete cascade,
  chosen_at     timestamptz not null default now(),
  primary key (principal_id, client_id)
);
