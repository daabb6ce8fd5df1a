import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { hashToken } from '../../server/auth/hash.js';
import { cliClient, cliLogin, CLI_SCOPES } from './cli-flow.js';
import { mintAccessToken } from '../support/tokens.js';
import { startAuthWorld, type AuthWorld } from './harness.js';

let w: AuthWorld;
before(async () => { w = await startAuthWorld(); });
after(async () => { await w?.close(); });

const expectUnauthorized = async (token: string, why: string) => {
  const res = await w.server.post('/api/v1/user/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'whoami', params: {} }), { authorization: `Bearer ${token}` });
  assert.equal(res.status, 401, why);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
};

describe('the CLI OAuth flow (authorization code + PKCE, loopback redirect)', () => {
  let login: Awaited<ReturnType<typeof cliLogin>>;

  it('obtains tokens through the real authorize and token endpoints and calls whoami', async () => {
    login = await cliLogin(w.browser, w.server.url, w.idp.issuer, 'verified');
    assert.ok(login.tokens.refresh_token, 'offline_access gives a refresh token');
    assert.equal(login.tokens.expires_in, 900);
    const me = await w.server.call('whoami', {}, { key: login.tokens.access_token });
    assert.equal(me.email, 'vera@example.test');
    assert.equal(me.credential, 'oauth');
    assert.deepEqual([...me.scopes].sort(), CLI_SCOPES.split(' ').sort());
    const [stored] = await w.server.services.sql<{ n: number }[]>`select count(*)::int as n from auth.oauth_access_token where token = ${login.tokens.access_token}`;
    assert.equal(stored!.n, 0, 'access tokens are stored hashed, never raw');
  });

  it('the token works on the memory RPC (write scope) in the personal space', async () => {
    const m = await w.server.call('memory.create', { tree: '/notes', content: 'from the CLI' }, { key: login.tokens.access_token });
    assert.equal(m.outcome, 'created');
  });

  it('refresh rotates the refresh token, and the old one is then rejected', async () => {
    const first = login.tokens.refresh_token!;
    const second = await oidc.refreshTokenGrant(login.config, first);
    assert.ok(second.refresh_token && second.refresh_token !== first, 'a new refresh token on every use');
    assert.notEqual(second.access_token, login.tokens.access_token);
    assert.equal((await w.server.call('whoami', {}, { key: second.access_token })).email, 'vera@example.test');
    const third = await oidc.refreshTokenGrant(login.config, second.refresh_token!);
    assert.ok(third.refresh_token && third.refresh_token !== second.refresh_token);
    const invalidGrant = (err: oidc.ResponseBodyError) => err.error === 'invalid_grant';
    await assert.rejects(oidc.refreshTokenGrant(login.config, first), invalidGrant, 'a replayed refresh token is rejected');
    // Replay means the token leaked: better-auth revokes the whole token family (the latest token too).
    await assert.rejects(oidc.refreshTokenGrant(login.config, third.refresh_token!), invalidGrant, 'replay revokes the token family');
  });

  it('ending the browser session the CLI signed in with does not log the CLI out', async () => {
    const { config, tokens } = await cliLogin(w.browser, w.server.url, w.idp.issuer, 'verified');
    const [session] = await w.server.services.sql<{ token: string }[]>`select s.token from auth.sessions s
      join auth.oauth_refresh_token r on r.session_id = s.id where r.token = ${hashToken(tokens.refresh_token!)}`;
    assert.ok(session, 'the refresh token records the browser session it came from');
    await (await w.server.auth.auth.$context).internalAdapter.deleteSession(session.token);
    const next = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal((await w.server.call('whoami', {}, { key: next.access_token })).email, 'vera@example.test');
  });

  it('an expired opaque access token → 401', async () => {
    const { tokens } = await cliLogin(w.browser, w.server.url, w.idp.issuer, 'verified');
    await w.server.call('whoami', {}, { key: tokens.access_token });
    const expired = await w.server.services.sql`update auth.oauth_access_token set expires_at = now() - interval '1 second'
      where token = ${hashToken(tokens.access_token)} returning id`;
    assert.equal(expired.length, 1);
    await expectUnauthorized(tokens.access_token, 'expired opaque token');
  });

  it('a JWT access token for the API audience is verified locally; other audiences and expired ones → 401', async () => {
    const api = `${w.server.url}/api/v1`;
    const { tokens } = await cliLogin(w.browser, w.server.url, w.idp.issuer, 'verified', { resource: api });
    assert.equal(tokens.access_token.split('.').length, 3, 'a JWT when a resource is requested');
    const me = await w.server.call('whoami', {}, { key: tokens.access_token });
    assert.equal(me.email, 'vera@example.test');

    const mcp = await cliLogin(w.browser, w.server.url, w.idp.issuer, 'verified', { resource: `${w.server.url}/mcp` });
    await expectUnauthorized(mcp.tokens.access_token, 'a token for /mcp is not valid on the RPC API');

    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(await mintAccessToken(w.server, { ...claims, iat: now - 7200, exp: now - 3600 }), 'expired JWT');
    await expectUnauthorized(await mintAccessToken(w.server, { ...claims, iss: 'https://elsewhere.example' }), 'JWT from another issuer');
    // RFC 9068: the header says it is an access token (an ID token or another JWT is not one), and
    // the required claims are there.
    await expectUnauthorized(await mintAccessToken(w.server, { ...claims, iat: now, exp: now + 60 }, { typ: null }), 'JWT without typ at+jwt');
    await expectUnauthorized(await mintAccessToken(w.server, { ...claims, iat: now, exp: now + 60 }, { typ: 'JWT' }), 'JWT with typ JWT');
    for (const missing of ['iat', 'sub', 'client_id']) {
      await expectUnauthorized(await mintAccessToken(w.server, { ...claims, iat: now, exp: now + 60, [missing]: undefined }), `JWT without ${missing}`);
    }
    await expectUnauthorized(await mintAccessToken(w.server, { ...claims, iat: now, exp: now + 60, aud: [api, 'https://other.example/api'] }), 'JWT for two audiences');
    const fine = await mintAccessToken(w.server, { ...claims, iat: now, exp: now + 60 });
    assert.equal((await w.server.call('whoami', {}, { key: fine })).email, 'vera@example.test', 'the same claims, unexpired, pass');
  });

  it('a tampered login-page query fails its signature check', async () => {
    const config = await cliClient(w.server.url);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:9/callback', scope: CLI_SCOPES, state: 's1',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    });
    // Node's fetch sends sec-fetch-mode: cors, so better-auth answers JSON instead of a 302.
    const first = await (await fetch(url)).json() as { url: string };
    const loginUrl = new URL(first.url, w.server.url);
    assert.equal(loginUrl.pathname, '/login');
    assert.ok(loginUrl.searchParams.get('sig'));
    const signIn = (oauthQuery: string) => fetch(`${w.server.url}/api/v1/auth/sign-in/social`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: w.server.url },
      body: JSON.stringify({ provider: 'oidc', callbackURL: `${w.server.url}/login`, disableRedirect: true, oauth_query: oauthQuery }),
    });
    const genuine = await signIn(loginUrl.search.slice(1));
    assert.equal(genuine.status, 200);
    const tampered = new URLSearchParams(loginUrl.search);
    tampered.set('redirect_uri', 'http://127.0.0.1:9/elsewhere');
    const res = await signIn(tampered.toString());
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error?: string }).error, 'invalid_signature');
  });
});

describe('API keys', () => {
  it('a key cannot mint a key (403), nor revoke one', async () => {
    const err = await w.server.fail('apiKey.create', { name: 'child' });
    assert.equal(err.data?.code, 'FORBIDDEN');
    const keys = await w.server.call('apiKey.list', {});
    const revoke = await w.server.fail('apiKey.revoke', { id: keys.keys[0].id });
    assert.equal(revoke.data?.code, 'FORBIDDEN');
  });

  it('a signed-in user (OAuth) can mint a personal access token, which then cannot mint another', async () => {
    const { tokens } = await cliLogin(w.browser, w.server.url, w.idp.issuer, 'verified');
    const pat = await w.server.call('apiKey.create', { name: 'laptop' }, { key: tokens.access_token });
    assert.match(pat.key, /^me\./);
    assert.equal((await w.server.call('whoami', {}, { key: pat.key })).email, 'vera@example.test');
    assert.equal((await w.server.fail('apiKey.create', { name: 'grandchild' }, { key: pat.key })).data?.code, 'FORBIDDEN');
  });
});
