import { AppError } from '../../contracts/errors.js';

/**
 * Cookie-authenticated requests must come from our own pages: an allowed `Origin`, or
 * `Sec-Fetch-Site: same-origin` (browsers send it on every fetch). SameSite=Lax already keeps the
 * cookie off most cross-site requests; this closes the rest (and same-site sibling origins).
 */
export function checkCsrf(headers: { get(name: string): string | null }, allowedOrigins: ReadonlySet<string>) {
  const origin = headers.get('origin');
  if (origin !== null && origin !== 'null') {
    if (allowedOrigins.has(origin)) return;
    throw new AppError('FORBIDDEN', `cookie-authenticated requests from ${origin} are not allowed; use an access token or API key instead`, { reason: 'CROSS_ORIGIN' });
  }
  if (headers.get('sec-fetch-site') === 'same-origin') return;
  throw new AppError('FORBIDDEN', 'a cookie-authenticated request needs an Origin header of this server (or Sec-Fetch-Site: same-origin); use an access token or API key instead', { reason: 'CROSS_ORIGIN' });
}
