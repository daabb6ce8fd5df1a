import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { SCOPES } from '../../cli/auth/oauth.js';
import { signInWithIdp } from '../support/browser.js';

export const CLI_SCOPES = `openid profile email ${SCOPES}`;

/** openid-client configured the way the `me` CLI is: public client me-cli, discovery from the issuer. */
export async function cliClient(serverUrl: string) {
  return oidc.discovery(new URL(`${serverUrl}/api/v1/auth`), 'me-cli', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
}

/** A loopback redirect listener (RFC 8252) that resolves with the first callback URL it receives. */
async function loopback() {
  let resolveUrl!: (u: URL) => void;
  const received = new Promise<URL>((r) => { resolveUrl = r; });
  const server = createServer((req, res) => {
    res.end('done; you can close this page');
    resolveUrl(new URL(req.url!, `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return { redirectUri, received, close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }) };
}

/**
 * The CLI's authorization-code + PKCE flow through the real endpoints: the browser opens the
 * authorize URL, signs in at the test IdP, and lands on the loopback redirect; the code is then
 * exchanged at the token endpoint. `resource` asks for a JWT access token bound to that audience.
 */
export async function cliLogin(browser: Browser, serverUrl: string, idpIssuer: string, account: string, opts: { resource?: string } = {}) {
  const config = await cliClient(serverUrl);
  const lb = await loopback();
  try {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: lb.redirectUri, scope: CLI_SCOPES, state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      ...(opts.resource ? { resource: opts.resource } : {}),
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url.href);
    await signInWithIdp(page, idpIssuer, account);
    const callback = await lb.received;
    await context.close();
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state },
      opts.resource ? { resource: opts.resource } : undefined);
    return { config, tokens };
  } finally {
    await lb.close();
  }
}
