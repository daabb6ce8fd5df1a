import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

// No identity provider configured (the laptop default): the owner signs in with a one-time link.
let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

describe('local owner sign-in', () => {
  it('the one-time link gives the bootstrap owner a session, once', async () => {
    const memory = await s.call('memory.create', { tree: '/before', content: 'written with the bootstrap key' });
    const link = await s.auth.ownerSignInLink();
    assert.ok(link, 'a link when no provider is configured');
    const res = await fetch(link, { redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(new URL(res.headers.get('location')!, s.url).pathname, '/login');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('me.session_token='));
    assert.ok(setCookie, 'a session cookie');
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    const cookie = setCookie.split(';')[0]!;

    const whoami = await s.post('/api/v1/user/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'whoami', params: {} }), { cookie, origin: s.url });
    const me = ((await whoami.json()) as { result: { id: string; credential: string } }).result;
    assert.equal(me.credential, 'session');
    assert.equal(me.id, s.bootstrap!.principalId, 'the session acts as the bootstrap owner principal');
    const read = await s.post('/api/v1/memory/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.get', params: { id: memory.id } }), { cookie, origin: s.url });
    assert.equal(((await read.json()) as { result: { content: string } }).result.content, 'written with the bootstrap key');

    const signOut = await fetch(`${s.url}/api/v1/auth/sign-out`, { method: 'POST', headers: { cookie, origin: s.url, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(signOut.status, 200);
    const after = await s.post('/api/v1/user/rpc', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'whoami', params: {} }), { cookie, origin: s.url });
    assert.equal(after.status, 401, 'signed out: the session no longer works, at once');

    const again = await fetch(link, { redirect: 'manual' });
    assert.equal(again.status, 302);
    assert.equal(new URL(again.headers.get('location')!, s.url).searchParams.get('error'), 'OWNER_LINK_INVALID');
    assert.equal(again.headers.getSetCookie().some((c) => c.startsWith('me.session_token=') && !/Max-Age=0/i.test(c)), false);
  });

  it('a link forwarded by a reverse proxy is refused', async () => {
    const link = (await s.auth.ownerSignInLink())!;
    const res = await fetch(link, { redirect: 'manual', headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.getSetCookie().length, 0);
  });

  it('a made-up token is refused', async () => {
    const res = await fetch(`${s.url}/api/v1/auth/owner-sign-in?token=forged`, { redirect: 'manual' });
    assert.equal(new URL(res.headers.get('location')!, s.url).searchParams.get('error'), 'OWNER_LINK_INVALID');
  });

  it('the sign-in page lists no provider and offers the owner link', async () => {
    const res = await fetch(`${s.url}/api/v1/auth/providers`);
    assert.deepEqual(await res.json(), { providers: [], ownerLink: true });
  });
});
