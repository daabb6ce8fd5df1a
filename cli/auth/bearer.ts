import { MeError } from '../client/errors.js';
import { withFileLock } from './lock.js';
import { loadTokenSet, saveTokenSet } from './store.js';
import type { TokenSet } from './token-set.js';

/** Refresh this long before the access token expires (clock skew, request latency). */
export const REFRESH_SKEW_MS = 60_000;

export interface BearerSource {
  /** 'apiKey' when ME_API_KEY (or opts.apiKey) is set, else 'oauth' (the token set stored by `me login`). */
  kind: 'apiKey' | 'oauth';
  getToken(): Promise<string | null>;
  /** After a 401: refresh once (unless another process already did) and tell the transport to retry. */
  onUnauthorized(rejectedToken: string | null): Promise<boolean>;
  /** The stored token set (oauth), for `me status`. */
  current(): Promise<TokenSet | null>;
}

export interface BearerOptions {
  apiKey?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * The refresh-aware credential for a server: ME_API_KEY if set, else the OAuth token set `me login`
 * stored. Access tokens are refreshed shortly before expiry and once after a 401. Refreshes are
 * deduplicated within the process, and across processes a file lock is held while the store is re-read:
 * if another process rotated the refresh token meanwhile, its result is adopted instead of replaying
 * the now-dead token.
 */
export function bearerSource(server: string, opts: BearerOptions = {}): BearerSource {
  const env = opts.env ?? process.env;
  const apiKey = opts.apiKey ?? env.ME_API_KEY;
  if (apiKey) {
    return {
      kind: 'apiKey',
      getToken: async () => apiKey,
      onUnauthorized: async () => false,
      current: async () => null,
    };
  }
  server = server.replace(/\/+$/, '');
  let cached: TokenSet | null | undefined;
  let inflight: Promise<TokenSet> | null = null;

  const load = async () => (cached === undefined ? (cached = await loadTokenSet(server, env)) : cached);
  const notSignedIn = () =>
    new MeError('UNAUTHORIZED', `not signed in to ${server}`, { data: { hint: 'run `me login`' } });
  const fresh = (s: TokenSet) => !s.expiresAt || s.expiresAt - Date.now() > REFRESH_SKEW_MS;

  /** Refresh under the cross-process lock. `stale` is the token we consider dead. */
  const refreshLocked = (stale: TokenSet, force: boolean): Promise<TokenSet> =>
    (inflight ??= withFileLock(`refresh:${server}`, async () => {
      const latest = await loadTokenSet(server, env);
      if (!latest) throw notSignedIn();
      // Someone else (another process) refreshed while we waited: use theirs.
      const rotatedElsewhere = latest.accessToken !== stale.accessToken;
      if (rotatedElsewhere && (fresh(latest) || !force)) return latest;
      const { refresh } = await import('./oauth.js');
      const next = await refresh(latest);
      await saveTokenSet(next, env);
      return next;
    }, env).then(
      (s) => {
        cached = s;
        inflight = null;
        return s;
      },
      (err) => {
        inflight = null;
        throw err;
      },
    ));

  return {
    kind: 'oauth',
    async getToken() {
      const set = await load();
      if (!set) throw notSignedIn();
      if (fresh(set) || !set.refreshToken) return set.accessToken;
      return (await refreshLocked(set, false)).accessToken;
    },
    async onUnauthorized(rejected) {
      const set = await load();
      if (!set?.refreshToken) return false;
      // A newer token than the rejected one is already in memory: just retry with it.
      if (rejected && set.accessToken !== rejected) return true;
      await refreshLocked(set, true);
      return true;
    },
    current: load,
  };
}
