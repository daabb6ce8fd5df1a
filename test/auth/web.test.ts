import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPage, signInWithIdp } from '../support/browser.js';
import { cookieHeader, startAuthWorld, type AuthWorld } from './harness.js';

let w: AuthWorld;
before(async () => { w = await startAuthWorld(); });
after(async () => { await w?.close(); });

const rpc = (url: string, method: string, headers: Record<string, string>) =>
  fetch(`${url}/api/v1/user/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: {} }),
  });

describe('web sign-in through the generic OIDC provider', () => {
  let cookie = '';

  it('a verified user signs in on /login and the session cookie calls whoami', async () => {
    const { context, page } = await openPage(w.browser, `${w.server.url}/login`);
    await signInWithIdp(page, w.idp.issuer, 'verified');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.match(await page.innerText('[data-testid="signed-in"]'), /Vera Verified/);
    cookie = await cookieHeader(context, w.server.url);
    const session = (await context.cookies(w.server.url)).find((c) => c.name === 'me.session_token');
    assert.ok(session?.httpOnly, 'the session cookie is httpOnly');
    assert.equal(session?.sameSite, 'Lax');
    await context.close();

    const res = await rpc(w.server.url, 'whoami', { cookie, origin: w.server.url });
    const body = await res.json() as { result: { name: string; email: string; credential: string; spaces: { slug: string; personal: boolean; role: string }[] } };
    assert.equal(res.status, 200);
    assert.equal(body.result.email, 'vera@example.test');
    assert.equal(body.result.credential, 'session');
    assert.deepEqual(body.result.spaces.map((sp) => [sp.slug, sp.personal, sp.role]), [['vera-verified', true, 'admin']]);
  });

  it('Sec-Fetch-Site: same-origin passes the CSRF check too', async () => {
    const res = await rpc(w.server.url, 'whoami', { cookie, 'sec-fetch-site': 'same-origin' });
    assert.equal(res.status, 200);
  });

  it('a cookie request from a foreign Origin is refused with 403', async () => {
    const res = await rpc(w.server.url, 'whoami', { cookie, origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    const body = await res.json() as { error: { data: { code: string } } };
    assert.equal(body.error.data.code, 'FORBIDDEN');
    const noOrigin = await rpc(w.server.url, 'whoami', { cookie });
    assert.equal(noOrigin.status, 403, 'a cookie with neither Origin nor Sec-Fetch-Site is refused');
  });

  it('a bad bearer with a valid cookie is a 401: no fallback to the cookie', async () => {
    const res = await rpc(w.server.url, 'whoami', { cookie, origin: w.server.url, authorization: 'Bearer not-a-real-token' });
    assert.equal(res.status, 401);
  });

  it('an unverified user is refused: the page shows the banner and no session exists', async () => {
    const { context, page } = await openPage(w.browser, `${w.server.url}/login`);
    await signInWithIdp(page, w.idp.issuer, 'unverified');
    assert.equal(new URL(page.url()).searchParams.get('error'), 'EMAIL_NOT_VERIFIED');
    assert.match(await page.innerText('[data-testid="error"]'), /not verified/);
    assert.equal(await page.$('[data-testid="signed-in"]'), null);
    assert.equal((await context.cookies(w.server.url)).some((c) => c.name === 'me.session_token'), false);
    await context.close();
    const [row] = await w.server.services.sql`select count(*)::int as n from auth.sessions s join auth.users u on u.id = s.user_id
      where u.email = 'ursula@example.test'`;
    assert.equal(row!.n, 0);
    const [principal] = await w.server.services.sql`select count(*)::int as n from core.principal where email = 'ursula@example.test'`;
    assert.equal(principal!.n, 0, 'no principal is provisioned for a refused user');
  });

  it("an unverified account claiming an existing user's email is not linked to it", async () => {
    const { context, page } = await openPage(w.browser, `${w.server.url}/login`);
    await signInWithIdp(page, w.idp.issuer, 'impostor');
    assert.ok(new URL(page.url()).searchParams.get('error'), 'sign-in fails with an error');
    assert.ok(await page.$('[data-testid="error"]'), 'the page shows it');
    assert.equal((await context.cookies(w.server.url)).some((c) => c.name === 'me.session_token'), false);
    await context.close();
    const accounts = await w.server.services.sql`select a.account_id from auth.accounts a join auth.users u on u.id = a.user_id
      where u.email = 'vera@example.test' order by 1`;
    assert.deepEqual(accounts.map((a) => a.account_id), ['verified']);
  });

  it('/login is served with anti-framing headers', async () => {
    const res = await fetch(`${w.server.url}/login`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(await res.text(), /<div id="app">/);
  });
});
