import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startAuthWorld, type AuthWorld } from '../auth/harness.js';
import { signInWithIdp } from '../support/browser.js';
import { BIN, ensureBuilt, sandbox } from '../cli/support.js';

// `me mcp` on an OAuth token set from `me login`, kept alive through access-token expiry.
let world: AuthWorld;
let box: ReturnType<typeof sandbox>;
const creds = () => JSON.parse(readFileSync(join(box.env.XDG_CONFIG_HOME!, 'me', 'credentials.json'), 'utf8'))[world.server.url];

before(async () => {
  ensureBuilt();
  world = await startAuthWorld();
  box = sandbox();
  box.env.ME_KEYRING = 'file'; // the token set in a file the test can inspect
});
after(async () => {
  await world?.close();
  box?.cleanup();
});

/** `me login --no-browser`, with Chromium following the printed URL through the test IdP. */
async function login() {
  const child = spawn(process.execPath, [BIN, 'login', '--no-browser', '--server', world.server.url], {
    env: { ...process.env, ...box.env, ME_API_KEY: '' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout.resume();
  const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /(http:\/\/\S+\/oauth2\/authorize\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('close', () => reject(new Error(`me login exited early: ${stderr}`)));
  });
  const context = await world.browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await signInWithIdp(page, world.idp.issuer, 'verified');
  await context.close();
  assert.equal(await exited, 0, stderr);
}

describe('me mcp with `me login` credentials', () => {
  it('keeps working across access-token expiry: refreshes, rotates, retries, without a restart', async () => {
    await login();
    const client = new Client({ name: 'stdio-oauth', version: '1.0.0' });
    const env: Record<string, string> = { ...box.env, PATH: process.env.PATH!, ME_SERVER: world.server.url };
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env, stderr: 'ignore' }));
    try {
      const ctx = (await client.callTool({ name: 'me_context', arguments: {} })).structuredContent as any;
      assert.equal(ctx.credential, 'oauth');
      assert.equal(ctx.principal.email, 'vera@example.test');
      for (let round = 1; round <= 2; round++) {
        const before = creds();
        // Expire every access token of the user at the server: the running process only learns it from a 401.
        await world.server.services.sql`update auth.oauth_access_token set expires_at = now() - interval '1 second' where user_id = ${ctx.principal.id}`;
        const r = await client.callTool({ name: 'me_memory_create', arguments: { tree: '/mcp_oauth', content: `after expiry ${round}` } });
        assert.ok(!r.isError, JSON.stringify(r.content));
        const now = creds();
        assert.notEqual(now.accessToken, before.accessToken, `round ${round}: a new access token`);
        assert.notEqual(now.refreshToken, before.refreshToken, `round ${round}: the refresh token rotated`);
      }
      const count = await client.callTool({ name: 'me_memory_count', arguments: { tree: '/mcp_oauth' } });
      assert.equal((count.structuredContent as any).count, 2);
    } finally {
      await client.close();
    }
  });
});
