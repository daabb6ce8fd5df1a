import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type ProviderType from 'oidc-provider';

/** The test identity provider's users: log in with the account id as the login name. */
export const idpUsers = {
  verified: { name: 'Vera Verified', email: 'vera@example.test', email_verified: true },
  unverified: { name: 'Ursula Unverified', email: 'ursula@example.test', email_verified: false },
  invitee: { name: 'Ivan Invitee', email: 'ivan@example.test', email_verified: true },
  /** Claims the verified user's address without the IdP having verified it. */
  impostor: { name: 'Ima Impostor', email: 'vera@example.test', email_verified: false },
} as const;

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the relying party's redirect URI (known once the me server listens). */
  allowRedirect(uri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (`oidc-provider`) on loopback, with its built-in login and consent pages
 * (any password; the login name is the account id). The port is bound first so the issuer is known
 * before the relying party is configured; registering a redirect URI rebuilds the provider.
 */
// oidc-provider prints development-mode warnings on import and construction: expected here.
async function quietly<T>(make: () => T | Promise<T>): Promise<T> {
  const { warn, info } = console;
  console.warn = console.info = () => {};
  try { return await make(); } finally { Object.assign(console, { warn, info }); }
}
const Provider = (await quietly(() => import('oidc-provider'))).default;

export async function startIdp(): Promise<TestIdp> {
  const clientId = 'memory-engine';
  const clientSecret = 'test-idp-client-secret-0123456789';
  const redirects: string[] = [];
  let provider: ProviderType | undefined;
  const server: Server = createServer((req, res) => {
    provider ??= createProvider();
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function createProvider() {
    const { warn, info } = console;
    console.warn = console.info = () => {};
    const p = new Provider(issuer, {
      clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirects,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      }],
      async findAccount(_ctx, id) {
        const user = idpUsers[id as keyof typeof idpUsers];
        if (!user) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, ...user }) };
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      features: { devInteractions: { enabled: true } },
      pkce: { required: () => false },
      cookies: { keys: ['test-idp-cookie-key'] },
      ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    });
    Object.assign(console, { warn, info });
    p.on('server_error', (_ctx, err) => console.error('idp server_error', err));
    return p;
  }

  return {
    issuer,
    clientId,
    clientSecret,
    allowRedirect(uri) {
      redirects.push(uri);
      provider = undefined; // clients are static in oidc-provider: rebuild it with the new list
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
