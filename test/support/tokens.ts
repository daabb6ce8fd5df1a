import { signJWT } from 'better-auth/plugins';
import type { RunningServer } from '../../server/start.js';

/**
 * Signs an access token with the server's own signing key, shaped like the ones its authorization
 * server issues (RFC 9068: typ at+jwt, iss, aud, iat, exp, sub, client_id); any claim can be
 * overridden or removed (set it to undefined), and the header's typ replaced (null drops it).
 */
export async function mintAccessToken(server: RunningServer, claims: Record<string, unknown>, opts: { typ?: string | null } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = Object.fromEntries(Object.entries({
    iss: server.auth.issuer, iat: now, exp: now + 300, client_id: 'me-cli', azp: 'me-cli', scope: 'memory:read memory:write', ...claims,
  }).filter(([, v]) => v !== undefined));
  const context = await server.auth.auth.$context;
  const typ = opts.typ === undefined ? 'at+jwt' : opts.typ;
  return signJWT({ context } as never, { options: { jwt: { issuer: server.auth.issuer } }, payload: payload as never, header: typ === null ? {} : { typ } } as never);
}
