-- One-time owner sign-in links (server/auth/owner-link.ts), kept here rather than in a server's
-- memory so a link minted by one server (or worker) works once on any of them: only the token's
-- hash is stored, and using a link deletes its row (`delete … returning`), so a second use finds
-- nothing whichever server it reaches. Expired rows are swept by auth.cleanup_expired().
create table core.owner_link (
  token_hash text primary key,
  user_id    uuid not null,
  expires_at timestamptz not null
);
