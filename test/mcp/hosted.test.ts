import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { findTool } from '../../mcp/tools.js';
import { PLAYBOOK } from '../../mcp/playbook.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let client: Client;

async function connect(key: string, headers: Record<string, string> = {}) {
  const c = new Client({ name: 'hosted-test', version: '1.0.0' });
  await c.connect(new StreamableHTTPClientTransport(new URL(s.url + '/mcp'), { requestInit: { headers: { authorization: `Bearer ${key}`, ...headers } } }));
  return c;
}

/** Calls a tool; its structuredContent must match the operation's output contract (tools send no outputSchema). */
const call = async (name: string, args: Record<string, unknown> = {}, c = client) => {
  const r = await c.callTool({ name, arguments: args });
  assert.ok(!r.isError, `${name} failed: ${JSON.stringify(r.content)}`);
  const parsed = findTool(name)!.contract.output.safeParse(r.structuredContent);
  assert.ok(parsed.success, `${name}: structuredContent breaks its contract: ${parsed.error?.message}`);
  return r as { structuredContent: any; content: { type: string; text: string }[] };
};

const mcpPost = (body: unknown, headers: Record<string, string>) =>
  fetch(s.url + '/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });

before(async () => {
  s = await startTestServer();
  client = await connect(s.key);
});
after(async () => {
  await client?.close();
  await s?.close();
});

describe('hosted /mcp: tools from the registry', () => {
  it('lists one tool per memory operation plus me_context and me_space_list, with schemas and hints', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'me_context', 'me_memory_copy', 'me_memory_count', 'me_memory_create', 'me_memory_delete', 'me_memory_delete_by_path',
      'me_memory_delete_tree', 'me_memory_get', 'me_memory_get_by_path', 'me_memory_history', 'me_memory_move',
      'me_memory_restore', 'me_memory_revert', 'me_memory_search', 'me_memory_trash', 'me_memory_tree', 'me_memory_update', 'me_space_list',
    ]);
    const search = tools.find((t) => t.name === 'me_memory_search')!;
    assert.equal(search.annotations?.readOnlyHint, true);
    assert.equal(search.inputSchema.type, 'object');
    assert.ok(search.inputSchema.properties?.query);
    // Lean: no output schema (results are compact text + structuredContent), only non-default hints.
    assert.ok(tools.every((t) => t.outputSchema === undefined));
    assert.match(search.description!, /snippet/);
    const del = tools.find((t) => t.name === 'me_memory_delete_tree')!;
    assert.deepEqual(del.annotations, { idempotentHint: true, openWorldHint: false }, 'destructive and not read-only: the MCP defaults');
    assert.equal(tools.find((t) => t.name === 'me_memory_create')!.annotations?.destructiveHint, false);
    assert.equal(tools.find((t) => t.name === 'me_memory_get')!.inputSchema.properties?.maxChars && (tools.find((t) => t.name === 'me_memory_get')!.inputSchema.properties!.maxChars as any).default, 20000);
    const create = tools.find((t) => t.name === 'me_memory_create')!;
    assert.deepEqual(create.inputSchema.required, ['content']);
    // No 400-character date regex in front of the agent.
    assert.ok(!JSON.stringify(create.inputSchema).includes('"pattern":"^(?:(?:'));
  });

  it('sends the playbook as its instructions', () => {
    assert.equal(client.getInstructions(), PLAYBOOK);
  });

  it('runs every memory tool end to end (structuredContent checked against each contract)', async () => {
    const created = await call('me_memory_create', { tree: '/projects/alpha', name: 'decisions', content: 'We chose Postgres for the memory store.', meta: { kind: 'adr' } });
    const m = created.structuredContent;
    assert.equal(m.outcome, 'created');
    assert.equal(m.path, '/projects/alpha/decisions');
    assert.match(created.content[0]!.text, /^\/projects\/alpha\/decisions \(id .*, version 1, created\)/);
    assert.equal((await call('me_memory_get', { id: m.id })).structuredContent.content, 'We chose Postgres for the memory store.');
    assert.equal((await call('me_memory_get_by_path', { path: '/projects/alpha/decisions' })).structuredContent.id, m.id);
    const updated = await call('me_memory_update', { id: m.id, version: 1, content: 'We chose Postgres with ltree for the memory store.' });
    assert.equal(updated.structuredContent.version, 2);

    const found = await call('me_memory_search', { query: 'ltree' });
    const first = found.structuredContent.results[0];
    assert.equal(first.id, m.id);
    assert.equal(Object.keys(first)[0], 'snippet', 'search results are snippet-first');
    assert.match(found.content[0]!.text, /^1 result \(mode keyword\)\n- .*ltree/);

    assert.deepEqual((await call('me_memory_tree', { tree: '/projects' })).structuredContent.children, [{ path: '/projects/alpha', count: 1 }]);
    assert.equal((await call('me_memory_count')).structuredContent.count, 1);
    assert.equal((await call('me_memory_copy', { from: '/projects/alpha', to: '/archive/alpha' })).structuredContent.count, 1);
    assert.equal((await call('me_memory_move', { from: '/archive', to: '/old' })).structuredContent.count, 1);
    const history = await call('me_memory_history', { id: m.id });
    assert.deepEqual(history.structuredContent.events.map((e: any) => e.version), [2, 1]);
    assert.equal((await call('me_memory_revert', { id: m.id, version: 1 })).structuredContent.content, 'We chose Postgres for the memory store.');
    assert.equal((await call('me_memory_delete_by_path', { path: '/old/alpha/decisions' })).structuredContent.deleted, true);
    const other = (await call('me_memory_create', { tree: '/scratch', content: 'temporary' })).structuredContent;
    assert.equal((await call('me_memory_delete', { id: other.id })).structuredContent.deleted, true);
    assert.deepEqual((await call('me_memory_delete_tree', { tree: '/projects', dryRun: true })).structuredContent, { count: 1, dryRun: true, ids: [] });
    const removed = (await call('me_memory_delete_tree', { tree: '/projects' })).structuredContent;
    assert.deepEqual([removed.count, removed.dryRun, removed.ids.length], [1, false, 1]);
    assert.equal((await call('me_memory_count')).structuredContent.count, 0);
    const trash = (await call('me_memory_trash', { tree: '/projects' })).structuredContent;
    assert.deepEqual(trash.items.map((i: any) => i.id), removed.ids);
    const feed = (await call('me_memory_history', { tree: '/' })).structuredContent;
    assert.equal(feed.events[0].op, 'delete');
    assert.equal((await call('me_memory_restore', { tree: '/projects' })).structuredContent.count, 1);
    assert.equal((await call('me_memory_count')).structuredContent.count, 1);
  });

  it('me_context and me_space_list tell the agent who it is, where it writes and what it may do', async () => {
    const ctx = (await call('me_context')).structuredContent;
    assert.equal(ctx.credential, 'apiKey');
    assert.equal(ctx.canWrite, true);
    assert.equal(ctx.space.slug, 'default');
    assert.deepEqual(ctx.access, [{ tree: '/', level: 'owner' }]);
    const spaces = (await call('me_space_list')).structuredContent.spaces;
    assert.deepEqual(spaces.map((x: any) => x.slug), ['default']);
  });

  it('uses the per-call space, else the connection default (X-Me-Space), else the only/personal space', async () => {
    await s.call('space.create', { slug: 'team' });
    // Without a space argument or a connection default, calls go to the personal space.
    const personal = (await call('me_context')).structuredContent;
    assert.deepEqual([personal.space.slug, personal.spaceSource], ['default', 'personal']);
    assert.deepEqual(personal.spaces.map((x: any) => x.slug), ['default', 'team']);
    await call('me_memory_create', { space: 'team', tree: '/t', content: 'in team' });
    assert.equal((await call('me_memory_count', { space: 'team' })).structuredContent.count, 1);
    const pinned = await connect(s.key, { 'x-me-space': 'team' });
    try {
      assert.equal((await call('me_memory_count', {}, pinned)).structuredContent.count, 1);
      const ctx = (await call('me_context', {}, pinned)).structuredContent;
      assert.deepEqual([ctx.space.slug, ctx.spaceSource], ['team', 'connection']);
    } finally {
      await pinned.close();
    }
  });

  it('tool errors are results with isError and a message the agent can act on', async () => {
    const missing = await client.callTool({ name: 'me_memory_get', arguments: { space: 'default', id: '00000000-0000-7000-8000-000000000000' } });
    assert.equal(missing.isError, true);
    assert.match((missing.content as any)[0].text, /^NOT_FOUND: /);
    const invalid = await client.callTool({ name: 'me_memory_create', arguments: { space: 'default', tree: '/bad path!', content: 'x' } });
    assert.equal(invalid.isError, true);
    assert.match((invalid.content as any)[0].text, /^VALIDATION_ERROR: .*label "bad path!"/);
    const typo = await client.callTool({ name: 'me_memory_count', arguments: { space: 'default', tre: '/x' } });
    assert.equal(typo.isError, true);
    assert.match((typo.content as any)[0].text, /tre/);
    const unknown = await client.callTool({ name: 'me_nope', arguments: {} });
    assert.equal(unknown.isError, true);
  });
});

describe('hosted /mcp: authentication and transport rules', () => {
  const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

  it('401 without a token, pointing to the protected resource metadata', async () => {
    const res = await mcpPost(init, {});
    assert.equal(res.status, 401);
    const www = res.headers.get('www-authenticate')!;
    assert.match(www, /^Bearer /);
    assert.match(www, new RegExp(`resource_metadata="${s.url}/.well-known/oauth-protected-resource/mcp"`));
    assert.match(www, /scope="memory:read memory:write"/);
    assert.doesNotMatch(www, /error=/);
  });

  it('401 invalid_token for a wrong API key or an unknown access token', async () => {
    for (const token of ['me.AAAAAAAAAAAA.' + 'x'.repeat(43), 'eyJhbGciOiJub25lIn0.e30.']) {
      const res = await mcpPost(init, { authorization: `Bearer ${token}` });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate')!, /error="invalid_token".*resource_metadata=/);
    }
  });

  it('serves RFC 9728 metadata at the path-inserted and the root URL', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(s.url + path);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        resource: `${s.url}/mcp`,
        authorization_servers: [`${s.url}/api/v1/auth`],
        scopes_supported: ['memory:read', 'memory:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'Memory Engine',
      });
    }
  });

  it('rejects a foreign Origin and a foreign Host (DNS rebinding), before authentication', async () => {
    const evil = await mcpPost(init, { authorization: `Bearer ${s.key}`, origin: 'https://evil.example' });
    assert.equal(evil.status, 403);
    assert.match(((await evil.json()) as any).error.message, /evil\.example/);
    const port = new URL(s.url).port;
    const rebound = await new Promise<number>((resolve, reject) => {
      // fetch() will not let us forge Host; a raw request can.
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, 'content-type': 'application/json' } }, (res) => { res.resume(); resolve(res.statusCode!); });
        req.on('error', reject);
        req.end(JSON.stringify(init));
      });
    });
    assert.equal(rebound, 403);
    // The server's own origin (and its other loopback name) is fine.
    const own = await mcpPost(init, { authorization: `Bearer ${s.key}`, origin: s.url });
    assert.equal(own.status, 200);
    const local = await mcpPost(init, { authorization: `Bearer ${s.key}`, origin: s.url.replace('127.0.0.1', 'localhost') });
    assert.equal(local.status, 200);
  });

  it('is stateless: no session id, GET is 405, and any request works without a prior initialize', async () => {
    const res = await mcpPost(init, { authorization: `Bearer ${s.key}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('mcp-session-id'), null);
    assert.match(res.headers.get('content-type')!, /application\/json/);
    const get = await fetch(s.url + '/mcp', { headers: { authorization: `Bearer ${s.key}`, accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    const list = await mcpPost({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: `Bearer ${s.key}`, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(list.status, 200);
    assert.equal(((await list.json()) as any).result.tools.length, 18);
  });
});
