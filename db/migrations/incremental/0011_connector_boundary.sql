-- A connected application's boundary, chosen on the consent page and editable on /connections: the
-- space (already here), a tree prefix and read-only or read/write. Its tokens are then restricted
-- exactly like a restricted API key (intersected with the user's live grants). A row without a
-- level is an older, unbound choice: the space is only a default and calls may name another.
alter table core.connector_space
  add column tree  ltree,
  add column level smallint check (level in (1, 2)),
  add constraint connector_space_bound check ((tree is null) = (level is null));
