import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../server/config.js';
import { startTestServer, type TestServer } from '../support/server.js';

// GitHub and Google cannot be reached from the tests; what we can check without them is that each
// is enabled by its env vars and that sign-in sends the browser to the right place with our callback.
let s: TestServer;
before(async () => {
  s = await startTestServer({ env: {
    ME_GITHUB_CLIENT_ID: 'gh-client', ME_GITHUB_CLIENT_SECRET: 'gh-secret',
    ME_GOOGLE_CLIENT_ID: 'google-client', ME_GOOGLE_CLIENT_SECRET: 'google-secret',
  } });
});
after(async () => { await s?.close(); });

const startSignIn = async (provider: string) => {
  const res = await fetch(`${s.url}/api/v1/auth/sign-in/social`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: s.url },
    body: JSON.stringify({ provider, callbackURL: `${s.url}/login`, disableRedirect: true }),
  });
  assert.equal(res.status, 200);
  return new URL(((await res.json()) as { url: string }).url);
};

describe('social providers', () => {
  it('GitHub and Google are offered when their client id and secret are set; no owner link then', async () => {
    const res = await fetch(`${s.url}/api/v1/auth/providers`);
    assert.deepEqual(await res.json(), { providers: [{ id: 'github', name: 'GitHub' }, { id: 'google', name: 'Google' }], ownerLink: false });
    assert.equal(await s.auth.ownerSignInLink(), null);
  });

  it('sign-in goes to the provider with our callback URL, state and PKCE', async () => {
    const gh = await startSignIn('github');
    assert.equal(gh.origin + gh.pathname, 'https://github.com/login/oauth/authorize');
    assert.equal(gh.searchParams.get('client_id'), 'gh-client');
    assert.equal(gh.searchParams.get('redirect_uri'), `${s.url}/api/v1/auth/callback/github`);
    assert.ok(gh.searchParams.get('state'));
    const google = await startSignIn('google');
    assert.equal(google.hostname, 'accounts.google.com');
    assert.equal(google.searchParams.get('redirect_uri'), `${s.url}/api/v1/auth/callback/google`);
    assert.equal(google.searchParams.get('code_challenge_method'), 'S256');
  });

  it('a half-configured provider is a configuration error that names the missing variable', () => {
    assert.throws(() => loadConfig({ ME_GITHUB_CLIENT_ID: 'x' }), /ME_GITHUB_CLIENT_SECRET/);
    assert.throws(() => loadConfig({ ME_OIDC_ISSUER: 'https://idp.example' }), /ME_OIDC_CLIENT_ID/);
    assert.throws(() => loadConfig({ ME_AUTH_SECRET: 'short' }), /ME_AUTH_SECRET/);
  });
});
