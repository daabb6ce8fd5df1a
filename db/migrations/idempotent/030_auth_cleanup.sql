-- Sweeps expired authentication state; the server calls it periodically (server/auth/cleanup.ts).
-- Re-applied at every boot: create or replace only.
create or replace function auth.cleanup_expired() returns table (kind text, deleted bigint)
language plpgsql as $$
begin
  -- Access tokens first: they reference refresh tokens.
  delete from auth.oauth_access_token where expires_at < now();
  kind := 'access_tokens'; get diagnostics deleted = row_count; return next;
  -- Refresh tokens: expired, or rotated/revoked for over a day (replay detection needs them briefly).
  delete from auth.oauth_refresh_token r where r.expires_at < now()
    or (r.revoked is not null and r.revoked < now() - interval '1 day')
    and not exists (select 1 from auth.oauth_access_token a where a.refresh_id = r.id);
  kind := 'refresh_tokens'; get diagnostics deleted = row_count; return next;
  delete from auth.sessions where expires_at < now();
  kind := 'sessions'; get diagnostics deleted = row_count; return next;
  delete from auth.verifications where expires_at < now();
  kind := 'verifications'; get diagnostics deleted = row_count; return next;
  delete from auth.oauth_client_assertion where expires_at < now();
  kind := 'client_assertions'; get diagnostics deleted = row_count; return next;
  delete from auth.device_codes where expires_at < now();
  kind := 'device_codes'; get diagnostics deleted = row_count; return next;
  delete from core.owner_link where expires_at < now();
  kind := 'owner_links'; get diagnostics deleted = row_count; return next;
  -- Invitations that can no longer be used, kept 30 days for the record.
  delete from core.invitation where greatest(expires_at, coalesce(revoked_at, expires_at)) < now() - interval '30 days';
  kind := 'invitations'; get diagnostics deleted = row_count; return next;
  -- Rate-limit windows over for an hour (no limit here is longer than that).
  delete from core.rate_limit where window_start < now() - interval '1 hour';
  kind := 'rate_limits'; get diagnostics deleted = row_count; return next;
end $$;
