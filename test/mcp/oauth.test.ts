import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { signInWithIdp } from '../support/browser.js';
import { cookieHeader, startAuthWorld, type AuthWorld } from '../auth/harness.js';
import { mintAccessToken } from '../support/tokens.js';
import { cliLogin } from '../auth/cli-flow.js';
import { loopback, MemoryProvider } from '../support/mcp-oauth.js';

// The SDK's own client as the third-party MCP client, registering the way Claude Code does: a
// loopback redirect URI and no application_type.

let world: AuthWorld;
let mcpUrl: URL;

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, any>;

const rawCall = (token: string, name: string, args: Record<string, unknown> = {}) =>
  fetch(mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: args } }),
  });

/** An access token signed by the server's own signing key, for the edge cases. */
const mint = (claims: Record<string, unknown>) => mintAccessToken(world.server, claims);

let provider: MemoryProvider;
let userId: string;
let cookies: string;

before(async () => {
  world = await startAuthWorld();
  mcpUrl = new URL(`${world.server.url}/mcp`);
});
after(async () => { await world?.close(); });

describe('hosted /mcp with OAuth: a third-party client from nothing but the URL', () => {
  it('discovers, registers (loopback, no application_type), signs the user in, gets consent, and calls tools', async () => {
    const lb = await loopback();
    provider = new MemoryProvider(lb.redirectUri);
    try {
      const first = new Client({ name: 'oauth-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
      await assert.rejects(first.connect(transport), UnauthorizedError);
      // DCR worked without application_type (defaulted to native for the loopback redirect).
      assert.ok(provider.info?.client_id, 'registered');
      const [stored] = await world.server.services.sql<{ application_type: string }[]>`select application_type from auth.oauth_client where client_id = ${provider.info!.client_id}`;
      assert.equal(stored?.application_type, 'native');
      const authUrl = provider.authUrl!;
      assert.equal(authUrl.origin + authUrl.pathname, `${world.server.url}/api/v1/auth/oauth2/authorize`);
      assert.equal(authUrl.searchParams.get('resource'), mcpUrl.href);
      assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');

      const context = await world.browser.newContext();
      const page = await context.newPage();
      await page.goto(authUrl.href);
      await signInWithIdp(page, world.idp.issuer, 'verified');
      await page.waitForURL((u) => u.pathname === '/consent');
      await page.waitForSelector('[data-testid="space"]');
      assert.equal(await page.textContent('[data-testid="client-name"]'), 'Claude Code (test)');
      assert.ok(await page.isVisible('[data-testid="local-warning"]'), 'warns that the redirect is localhost');
      const scopes = await page.textContent('[data-testid="scopes"]');
      assert.match(scopes!, /Read and search your memories/);
      assert.match(scopes!, /Create, change, move and delete your memories/);
      cookies = await cookieHeader(context, world.server.url);
      await page.click('[data-testid="allow"]');
      const callback = await lb.received;
      await context.close();
      await transport.finishAuth(callback.searchParams.get('code')!);
    } finally {
      await lb.close();
    }

    const token = provider.saved!.access_token;
    const c = claims(token);
    assert.equal(c.aud, mcpUrl.href, 'the token is bound to the /mcp resource');
    assert.equal(c.iss, `${world.server.url}/api/v1/auth`);
    userId = c.sub;

    const client = new Client({ name: 'oauth-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    try {
      assert.equal((await client.listTools()).tools.length, 18);
      const created = await client.callTool({ name: 'me_memory_create', arguments: { tree: '/notes', content: 'connected through OAuth' } });
      assert.ok(!created.isError, JSON.stringify(created.content));
      const found = await client.callTool({ name: 'me_memory_search', arguments: { query: 'OAuth' } });
      assert.equal((found.structuredContent as any).results[0].id, (created.structuredContent as any).id);
      const ctx = (await client.callTool({ name: 'me_context', arguments: {} })).structuredContent as any;
      assert.equal(ctx.credential, 'oauth');
      assert.equal(ctx.principal.email, 'vera@example.test');
      assert.equal(ctx.space.personal, true);
      assert.equal(ctx.canWrite, true);
    } finally {
      await client.close();
    }
  });

  it('a token for another audience is refused with 401, even one naming /mcp among others', async () => {
    const { tokens } = await cliLogin(world.browser, world.server.url, world.idp.issuer, 'verified', { resource: `${world.server.url}/api/v1` });
    const aud = [claims(tokens.access_token).aud].flat();
    assert.ok(aud.includes(`${world.server.url}/api/v1`) && !aud.includes(mcpUrl.href));
    const res = await rawCall(tokens.access_token, 'me_memory_count');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /error="invalid_token"/);
    const both = await mint({ sub: userId, aud: [mcpUrl.href, `${world.server.url}/api/v1`], scope: 'memory:read memory:write' });
    assert.equal((await rawCall(both, 'me_memory_count')).status, 401);
  });

  it('a read-only token calling me_memory_create gets 403 insufficient_scope (step-up); reads work', async () => {
    const readOnly = await mint({ sub: userId, aud: mcpUrl.href, scope: 'memory:read', azp: provider.info!.client_id, client_id: provider.info!.client_id });
    const denied = await rawCall(readOnly, 'me_memory_create', { content: 'nope' });
    assert.equal(denied.status, 403);
    const www = denied.headers.get('www-authenticate')!;
    assert.match(www, /error="insufficient_scope"/);
    assert.match(www, /scope="memory:write"/);
    assert.match(www, new RegExp(`resource_metadata="${world.server.url}/.well-known/oauth-protected-resource/mcp"`));
    const read = await rawCall(readOnly, 'me_memory_count');
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as any).result.structuredContent.count, 1);
  });

  it('an expired token gets 401 with the challenge', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await mint({ sub: userId, aud: mcpUrl.href, scope: 'memory:read', iat: now - 3600, exp: now - 60 });
    const res = await rawCall(expired, 'me_memory_count');
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate')!, /^Bearer error="invalid_token".*resource_metadata="/);
  });

  it('lists the connected client; disconnecting it on the web page locks the client out of /mcp', async () => {
    const user = (method: string, params: object) => fetch(`${world.server.url}/api/v1/user/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookies, origin: world.server.url },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    }).then((r) => r.json() as Promise<any>);
    const listed = await user('connector.list', {});
    const mine = listed.result.connectors.find((x: any) => x.clientId === provider.info!.client_id);
    assert.ok(mine, JSON.stringify(listed));
    assert.equal(mine.name, 'Claude Code (test)');
    assert.deepEqual(mine.redirectHosts, [new URL(provider.redirectUrl).host]);
    assert.ok(mine.scopes.includes('memory:write'));
    assert.equal((await rawCall(provider.saved!.access_token, 'me_memory_count')).status, 200);
    // Disconnect on the web page (a browser with the user's session).
    const context = await world.browser.newContext();
    await context.addCookies(cookies.split('; ').map((kv) => {
      const at = kv.indexOf('=');
      return { name: kv.slice(0, at), value: kv.slice(at + 1), url: world.server.url };
    }));
    const page = await context.newPage();
    await page.goto(`${world.server.url}/connections`);
    const row = page.locator(`[data-client-id="${provider.info!.client_id}"]`);
    assert.match((await row.textContent())!, /Claude Code \(test\)/);
    await row.locator('[data-testid="disconnect"]').click();
    await row.waitFor({ state: 'detached' });
    await context.close();
    assert.ok(!(await user('connector.list', {})).result.connectors.some((x: any) => x.clientId === provider.info!.client_id));
    const after = await rawCall(provider.saved!.access_token, 'me_memory_count');
    assert.equal(after.status, 401);
    assert.match(after.headers.get('www-authenticate')!, /disconnected/);
  });

  it('a client that omits resource still gets a /mcp token; the consent is then remembered', async () => {
    const lb = await loopback();
    const context = await world.browser.newContext();
    try {
      const { discoverAuthorizationServerMetadata } = await import('@modelcontextprotocol/sdk/client/auth.js');
      const meta = (await discoverAuthorizationServerMetadata(`${world.server.url}/api/v1/auth`))!;
      const { createHash, randomBytes } = await import('node:crypto');
      const authorizeUrl = (verifier: string) => {
        const u = new URL(meta.authorization_endpoint);
        // No `resource`, as some Claude Code versions do.
        for (const [k, v] of Object.entries({ response_type: 'code', client_id: provider.info!.client_id, redirect_uri: lb.redirectUri, scope: 'memory:read memory:write',
          state: 'st', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })) u.searchParams.set(k, v);
        return u.href;
      };
      // The registered redirect is the old loopback port: register this one for the test client.
      await world.server.services.sql`update auth.oauth_client set redirect_uris = ${JSON.stringify([lb.redirectUri])} where client_id = ${provider.info!.client_id}`;
      const verifier = randomBytes(32).toString('base64url');
      const page = await context.newPage();
      await page.goto(authorizeUrl(verifier));
      await signInWithIdp(page, world.idp.issuer, 'verified');
      await page.waitForURL((u) => u.pathname === '/consent');
      // The space chosen here becomes the connection's default space.
      const created = await fetch(`${world.server.url}/api/v1/user/rpc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: await cookieHeader(context, world.server.url), origin: world.server.url },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'space.create', params: { slug: 'team-notes' } }),
      }).then((r) => r.json() as Promise<any>);
      assert.equal(created.result?.slug, 'team-notes', JSON.stringify(created));
      await page.reload();
      await page.locator('[data-testid="space"]', { hasText: 'team-notes' }).waitFor();
      await page.selectOption('[data-testid="space"]', 'team-notes');
      await page.click('[data-testid="allow"]');
      const code = (await lb.received).searchParams.get('code')!;
      const res = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: lb.redirectUri, client_id: provider.info!.client_id, code_verifier: verifier }),
      });
      const tokens = (await res.json()) as { access_token: string };
      assert.equal(claims(tokens.access_token).aud, mcpUrl.href);
      assert.equal((await rawCall(tokens.access_token, 'me_memory_count')).status, 200);
      const ctx = ((await (await rawCall(tokens.access_token, 'me_context')).json()) as any).result.structuredContent;
      assert.deepEqual([ctx.space.slug, ctx.spaceSource], ['team-notes', 'connection']);

      // Remembered: authorizing again (signed in, same scopes) goes straight back to the client.
      const again = await loopback();
      try {
        await world.server.services.sql`update auth.oauth_client set redirect_uris = ${JSON.stringify([again.redirectUri])} where client_id = ${provider.info!.client_id}`;
        const seen: string[] = [];
        page.on('framenavigated', (f) => { if (f === page.mainFrame()) seen.push(new URL(f.url()).pathname); });
        await page.goto(authorizeUrl(verifier).replace(encodeURIComponent(lb.redirectUri), encodeURIComponent(again.redirectUri)));
        assert.ok((await again.received).searchParams.get('code'));
        assert.ok(!seen.includes('/consent') && !seen.includes('/login'), `no consent or login page the second time: ${seen.join(' ')}`);
      } finally {
        await again.close();
      }
    } finally {
      await context.close();
      await lb.close();
    }
  });
});
