import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { EARLY_PROTOCOL_VERSIONS } from '../../cli/mcp/early-initialize.js';
import { PLAYBOOK } from '../../mcp/playbook.js';
import { forgetApiKey, mintApiKey } from '../../server/auth/api-keys.js';
import { BIN, ensureBuilt, me, meJson, sandbox } from '../cli/support.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
let box: ReturnType<typeof sandbox>;

async function stdioClient(env: Record<string, string>) {
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: { ...box.env, PATH: process.env.PATH!, ...env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

/** `me mcp <args>`: sends initialize, then a ping, and returns the initialize answer once the ping is answered (the SDK has it by then). */
async function rawInitialize(args: string[], protocolVersion: string) {
  const child = spawn(process.execPath, [BIN, 'mcp', ...args], { env: { ...box.env, PATH: process.env.PATH!, ME_SERVER: s.url, ME_API_KEY: s.key }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const lines: any[] = [];
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      for (let i = out.indexOf('\n'); i >= 0; i = out.indexOf('\n')) {
        lines.push(JSON.parse(out.slice(0, i)));
        out = out.slice(i + 1);
      }
      if (lines.some((l) => l.id === 2)) resolve();
    });
    child.on('close', (code) => reject(new Error(`me mcp exited ${code}: ${stderr}`)));
    const send = (m: object) => child.stdin.write(JSON.stringify(m) + '\n');
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'ping' });
  });
  child.kill();
  assert.equal(lines.filter((l) => l.id === 1).length, 1, 'exactly one answer to initialize');
  return { answer: lines.find((l) => l.id === 1), stderr };
}

before(async () => {
  ensureBuilt();
  s = await startTestServer();
  box = sandbox();
});
after(async () => {
  await s?.close();
  box?.cleanup();
});

describe('me mcp (stdio)', () => {
  it('serves the same tools, calling the server with ME_API_KEY; logs only on stderr', async () => {
    const { client, stderr } = await stdioClient({ ME_SERVER: s.url, ME_API_KEY: s.key });
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 18);
      assert.equal(client.getInstructions(), PLAYBOOK, 'the same playbook as /mcp');
      assert.ok(tools.some((t) => t.name === 'me_memory_search' && t.annotations?.readOnlyHint === true));
      const created = await client.callTool({ name: 'me_memory_create', arguments: { tree: '/stdio', name: 'hello', content: 'stdio says hello' } });
      assert.ok(!created.isError, JSON.stringify(created.content));
      assert.equal((created.structuredContent as any).path, '/stdio/hello');
      const found = await client.callTool({ name: 'me_memory_search', arguments: { query: 'hello' } });
      assert.equal((found.structuredContent as any).results[0].path, '/stdio/hello');
      assert.equal((await s.call('memory.getByPath', { path: '/stdio/hello' })).content, 'stdio says hello');
      const missing = await client.callTool({ name: 'me_memory_get_by_path', arguments: { path: '/stdio/nope' } });
      assert.equal(missing.isError, true);
      assert.match((missing.content as any)[0].text, /^NOT_FOUND: /);
      const ctx = await client.callTool({ name: 'me_context', arguments: {} });
      assert.equal((ctx.structuredContent as any).credential, 'apiKey');
      assert.match(stderr(), /serving Memory Engine tools from/);
      // initialize was answered before the SDK loaded; the SDK's own answer, compared and dropped, was the same.
      assert.doesNotMatch(stderr(), /differs from the SDK/);
    } finally {
      await client.close();
    }
  });

  it("the early initialize answer is the SDK's, with a project binding too; other versions are the SDK's to negotiate", async () => {
    assert.ok(EARLY_PROTOCOL_VERSIONS.every((v) => SUPPORTED_PROTOCOL_VERSIONS.includes(v)), 'answered early only for versions the SDK supports');
    const bound = await rawInitialize(['--tree', '/projects/x'], '2025-06-18');
    assert.equal(bound.answer.result.protocolVersion, '2025-06-18');
    assert.match(bound.answer.result.instructions, /This project's memories live under \/projects\/x/);
    assert.equal(bound.answer.result.serverInfo.name, 'memory-engine');
    assert.doesNotMatch(bound.stderr, /differs from the SDK/);
    const old = await rawInitialize([], '2024-10-07'); // supported by the SDK, not answered early
    assert.equal(old.answer.result.protocolVersion, '2024-10-07');
    const unknown = await rawInitialize([], '1999-01-01');
    assert.equal(unknown.answer.result.protocolVersion, LATEST_PROTOCOL_VERSION);
  });

  it('a revoked key gives the agent an UNAUTHORIZED tool result, not a crash', async () => {
    // Keys cannot mint keys, so this one is written the way apiKey.create writes it.
    const key = mintApiKey();
    const [owner] = await s.services.sql<{ principal_id: string }[]>`select principal_id from core.api_key limit 1`;
    const [row] = await s.services.sql<{ id: string }[]>`insert into core.api_key (lookup_id, secret_hash, principal_id, name)
      values (${key.lookupId}, ${key.secretHash}, ${owner!.principal_id}, 'short-lived') returning id`;
    const { client } = await stdioClient({ ME_SERVER: s.url, ME_API_KEY: key.key });
    try {
      assert.ok(!(await client.callTool({ name: 'me_memory_count', arguments: {} })).isError);
      await s.services.sql`delete from core.api_key where id = ${row!.id}`;
      forgetApiKey(s.services, row!.id);
      const r = await client.callTool({ name: 'me_memory_count', arguments: {} });
      assert.equal(r.isError, true);
      assert.match((r.content as any)[0].text, /^UNAUTHORIZED: .*me login/);
      // The process is still serving.
      assert.equal((await client.listTools()).tools.length, 18);
    } finally {
      await client.close();
    }
  });
});

describe('me mcp install', () => {
  it('adds an entry to Cursor\'s config, keeping the other servers', async () => {
    const file = join(box.home, '.cursor', 'mcp.json');
    mkdirSync(join(box.home, '.cursor'), { recursive: true });
    writeFileSync(file, JSON.stringify({ mcpServers: { other: { command: 'x' } } }));
    const out = await meJson(['mcp', 'install', 'cursor', '--server', s.url, '--space', 'default'], { env: box.env });
    assert.equal(out.file, file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(doc.mcpServers.other, { command: 'x' });
    assert.deepEqual(doc.mcpServers['memory-engine'], { command: process.execPath, args: [BIN, 'mcp', '--server', s.url, '--space', 'default'] });
    assert.ok(!JSON.stringify(doc).includes('me.'), 'no secret in the client config');
  });

  it('prints the Claude Desktop entry and the Claude Code command with --print', async () => {
    const desktop = await meJson(['mcp', 'install', 'claude-desktop', '--print', '--server', s.url], { env: box.env });
    assert.equal(desktop.file, join(box.env.XDG_CONFIG_HOME!, 'Claude', 'claude_desktop_config.json'));
    assert.deepEqual(desktop.entry.mcpServers['memory-engine'].args.slice(1), ['mcp', '--server', s.url]);
    const code = await me(['mcp', 'install', 'claude-code', '--print', '--server', s.url], { env: box.env });
    assert.equal(code.code, 0);
    assert.match(code.stdout, /^claude mcp add --scope user memory-engine -- \S+ \S+ mcp --server http:\/\/127\.0\.0\.1:\d+\n$/);
    const bad = await me(['mcp', 'install', 'vim'], { env: box.env });
    assert.equal(bad.code, 2);
  });
});

describe('me connector', () => {
  it('needs a signed-in user: an API key gets a clear error and exit code 1', async () => {
    const r = await me(['connector', 'list'], { env: { ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /connector\.list needs a signed-in person/);
    assert.match(r.stderr, /hint: .*unset ME_API_KEY and use `me login`/);
  });
});
