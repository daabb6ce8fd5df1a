import { AppError } from '../../contracts/errors.js';
import type { Caller, Services } from '../context.js';
import { looksLikeApiKey, verifyApiKey } from './api-keys.js';

/** Extra credential verifiers (OAuth tokens, cookie sessions) plugged in by the auth module. */
export interface CredentialVerifiers {
  bearer?: (token: string) => Promise<Caller | null>;
  cookie?: (req: Request) => Promise<Caller | null>;
}

export class Unauthorized extends AppError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}

/**
 * One dispatcher for every request: a bearer is an API key (me.<id>.<secret>) or an OAuth access
 * token; without a bearer, a cookie session. A bearer that fails is a 401: it never falls back
 * to the cookie.
 */
export async function authenticate(svc: Services, req: Request, verifiers: CredentialVerifiers): Promise<Caller> {
  const header = req.headers.get('authorization');
  if (header !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new Unauthorized('the Authorization header must be "Bearer <token>"');
    const token = m[1]!;
    const caller = looksLikeApiKey(token)
      ? await verifyApiKey(svc.sql, token)
      : verifiers.bearer ? await verifiers.bearer(token) : null;
    if (!caller) throw new Unauthorized('the bearer token is invalid, expired or revoked');
    return caller;
  }
  if (verifiers.cookie) {
    const caller = await verifiers.cookie(req);
    if (caller) return caller;
  }
  throw new Unauthorized('sign in first: send "Authorization: Bearer <API key or access token>"');
}
