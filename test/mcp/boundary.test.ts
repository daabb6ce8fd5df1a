import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cookieHeader, startAuthWorld, type AuthWorld } from '../auth/harness.js';
import { signInWithIdp } from '../support/browser.js';
import { loopback, MemoryProvider } from '../support/mcp-oauth.js';
import { mintAccessToken } from '../support/tokens.js';

// A connection bound at consent to one space, one tree and read-only: its tokens are restricted
// exactly like a restricted API key, for /mcp and the JSON-RPC API alike.

let world: AuthWorld;
let mcpUrl: URL;
let provider: MemoryProvider;
let cookies: string;
let client: Client;

const rpc = (path: 'memory' | 'user', method: string, params: object, auth: { cookie?: string; bearer?: string }) =>
  fetch(`${world.server.url}/api/v1/${path}/rpc`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth.cookie ? { cookie: auth.cookie, origin: world.server.url } : { authorization: `Bearer ${auth.bearer}` }),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  }).then((r) => r.json() as Promise<any>);

const call = async (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<any>;
const text = (r: any) => r.content.map((c: any) => c.text).join('\n');

before(async () => {
  world = await startAuthWorld();
  mcpUrl = new URL(`${world.server.url}/mcp`);
});
after(async () => {
  await client?.close();
  await world?.close();
});

describe('a connection bound at consent to /projects/a, read-only', () => {
  it('the consent page binds it: space, tree prefix and read-only', async () => {
    const lb = await loopback();
    provider = new MemoryProvider(lb.redirectUri, 'Bound agent');
    try {
      const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider });
      await assert.rejects(new Client({ name: 'bound', version: '1' }).connect(transport), UnauthorizedError);
      const context = await world.browser.newContext();
      const page = await context.newPage();
      await page.goto(provider.authUrl!.href);
      await signInWithIdp(page, world.idp.issuer, 'verified');
      await page.waitForURL((u) => u.pathname === '/consent');
      await page.waitForSelector('[data-testid="space"]');
      cookies = await cookieHeader(context, world.server.url);
      // The person's own memories, in and outside the boundary (a cookie session is not bound).
      for (const [tree, name] of [['/projects/a', 'plan'], ['/projects/b', 'secret-plan'], ['/notes', 'todo']]) {
        const r = await rpc('memory', 'memory.create', { tree, name, content: `the ${name} of ${tree}` }, { cookie: cookies });
        assert.ok(r.result, JSON.stringify(r));
      }
      await page.fill('[data-testid="tree"]', '/projects/a');
      await page.check('[data-testid="level-read"]');
      await page.click('[data-testid="allow"]');
      const callback = await lb.received;
      await context.close();
      await transport.finishAuth(callback.searchParams.get('code')!);
    } finally {
      await lb.close();
    }
    client = new Client({ name: 'bound', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    const listed = await rpc('user', 'connector.list', {}, { cookie: cookies });
    const mine = listed.result.connectors.find((c: any) => c.clientId === provider.info!.client_id);
    assert.deepEqual([mine.tree, mine.level], ['/projects/a', 'read']);
  });

  it('reads inside the boundary work; me_context reports the boundary', async () => {
    const got = await call('me_memory_get_by_path', { path: '/projects/a/plan' });
    assert.ok(!got.isError, text(got));
    const found = await call('me_memory_search', { query: 'plan' });
    assert.deepEqual(found.structuredContent.results.map((r: any) => r.path), ['/projects/a/plan']);
    const ctx = (await call('me_context')).structuredContent;
    assert.equal(ctx.canWrite, false);
    assert.equal(ctx.restriction.length, 1);
    assert.deepEqual({ tree: ctx.restriction[0].tree, level: ctx.restriction[0].level }, { tree: '/projects/a', level: 'read' });
    assert.equal(ctx.restriction[0].space, ctx.space.slug);
    assert.deepEqual(ctx.access, [{ tree: '/projects/a', level: 'read' }]);
  });

  it('cannot read /projects/b (not found, and the error says the connection is restricted)', async () => {
    const got = await call('me_memory_get_by_path', { path: '/projects/b/secret-plan' });
    assert.ok(got.isError);
    assert.match(text(got), /^NOT_FOUND: memory \/projects\/b\/secret-plan in space ".*" not found \(this connection is restricted to \/projects\/a \(read\)/);
    assert.equal((await call('me_memory_search', { query: 'plan', tree: '/projects/b' })).structuredContent.results.length, 0);
    assert.equal((await call('me_memory_count', {})).structuredContent.count, 1);
  });

  it('cannot write anywhere, even inside its tree; the refusal names the boundary', async () => {
    for (const tree of ['/projects/a', '/projects/b', '/']) {
      const r = await call('me_memory_create', { tree, content: 'nope' });
      assert.ok(r.isError, `write to ${tree} refused`);
      assert.match(text(r), /FORBIDDEN: .*this connection is restricted to \/projects\/a \(read\) in space "/);
    }
  });

  it('cannot name another space, by argument or header', async () => {
    const made = await rpc('user', 'space.create', { slug: 'elsewhere' }, { cookie: cookies });
    assert.ok(made.result, JSON.stringify(made));
    const r = await call('me_memory_count', { space: 'elsewhere' });
    assert.ok(r.isError);
    assert.match(text(r), /FORBIDDEN: memory\.count in space "elsewhere": this connection is restricted to/);
    const viaHeader = await fetch(mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${provider.saved!.access_token}`, 'x-me-space': 'elsewhere', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'me_memory_count', arguments: {} } }),
    }).then((x) => x.json() as Promise<any>);
    assert.match(viaHeader.result.content[0].text, /FORBIDDEN: memory\.count in space "elsewhere": this connection is restricted to/);
  });

  it('the JSON-RPC API applies the same boundary to the same connection (reason KEY_RESTRICTED)', async () => {
    const token = await mintAccessToken(world.server, {
      sub: (await call('me_context')).structuredContent.principal.id, aud: `${world.server.url}/api/v1`,
      client_id: provider.info!.client_id, azp: provider.info!.client_id,
    });
    const write = await rpc('memory', 'memory.create', { tree: '/projects/a', content: 'nope' }, { bearer: token });
    assert.equal(write.error?.data?.reason, 'KEY_RESTRICTED', JSON.stringify(write));
    const other = await rpc('memory', 'memory.getByPath', { path: '/projects/b/secret-plan' }, { bearer: token });
    assert.equal(other.error?.data?.code, 'NOT_FOUND');
    const inside = await rpc('memory', 'memory.getByPath', { path: '/projects/a/plan' }, { bearer: token });
    assert.equal(inside.result?.path, '/projects/a/plan');
    // Administration never works through a bound connection, whatever its scopes.
    const admin = await mintAccessToken(world.server, {
      sub: (await call('me_context')).structuredContent.principal.id, aud: `${world.server.url}/api/v1`,
      client_id: provider.info!.client_id, azp: provider.info!.client_id, scope: 'memory:read memory:write space:admin',
    });
    assert.equal((await rpc('user', 'apiKey.list', {}, { bearer: admin })).error?.data?.reason, 'KEY_RESTRICTED');
  });

  it('/connections shows the boundary and changes it (read/write) at once; still only inside /projects/a', async () => {
    const context = await world.browser.newContext();
    await context.addCookies(cookies.split('; ').map((kv) => {
      const at = kv.indexOf('=');
      return { name: kv.slice(0, at), value: kv.slice(at + 1), url: world.server.url };
    }));
    const page = await context.newPage();
    await page.goto(`${world.server.url}/connections`);
    const card = page.locator(`[data-client-id="${provider.info!.client_id}"]`);
    await card.waitFor();
    assert.match((await card.locator('[data-testid="boundary"]').textContent())!, /Only \/projects\/a in space .*, read-only/);
    await card.locator('[data-testid="boundary-level"]').selectOption('write');
    await card.locator('[data-testid="boundary-save"]').click();
    await page.waitForFunction((id) => document.querySelector(`[data-client-id="${id}"] [data-testid="boundary"]`)?.textContent?.includes('read and write'), provider.info!.client_id);
    await context.close();
    const ok = await call('me_memory_create', { tree: '/projects/a/notes', content: 'inside' });
    assert.ok(!ok.isError, text(ok));
    const no = await call('me_memory_create', { tree: '/projects/b', content: 'outside' });
    assert.match(text(no), /FORBIDDEN: .*restricted to \/projects\/a \(write\)/);
  });
});
