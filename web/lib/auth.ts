// Calls to better-auth's HTTP API (mounted at /api/v1/auth) from our pages.

export interface Provider { id: string; name: string }
export interface SessionUser { id: string; name: string; email: string; emailVerified: boolean }

const base = '/api/v1/auth';

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as T & { message?: string; error_description?: string };
  if (!res.ok) throw new Error(body?.error_description ?? body?.message ?? `request failed (${res.status})`);
  return body;
}

export async function loadProviders(): Promise<{ providers: Provider[]; ownerLink: boolean }> {
  return json(await fetch(`${base}/providers`));
}

export async function currentUser(): Promise<SessionUser | null> {
  const body = await json<{ user: SessionUser } | null>(await fetch(`${base}/get-session`, { credentials: 'same-origin' }));
  return body?.user ?? null;
}

/**
 * Starts sign-in with a provider. When this page was reached from the OAuth authorize endpoint, its
 * signed query goes along as `oauth_query`: after the provider, better-auth resumes the
 * authorization (a tampered query fails its signature check). Otherwise `next` (a path on this
 * server) is where the browser lands once signed in.
 */
export async function signIn(provider: string, oauthQuery: string | null, next: string | null = null): Promise<void> {
  const here = `${location.origin}/login`;
  const res = await fetch(`${base}/sign-in/social`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      provider,
      callbackURL: next ? `${location.origin}${next}` : here,
      errorCallbackURL: oauthQuery ? `${here}?${oauthQuery}` : next ? `${here}?next=${encodeURIComponent(next)}` : here,
      disableRedirect: true,
      ...(oauthQuery ? { oauth_query: oauthQuery } : {}),
    }),
  });
  const body = await json<{ url?: string }>(res);
  if (!body.url) throw new Error('the sign-in endpoint returned no provider URL');
  location.assign(body.url);
}

export async function signOut(): Promise<void> {
  await json(await fetch(`${base}/sign-out`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' }));
}

/** A `?next=` value that stays on this server (a path, never `//host` or a scheme), else null. */
export function localPath(next: string | null): string | null {
  return next && /^\/(?![\/\\])/.test(next) ? next : null;
}
