import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { startAuthWorld, type AuthWorld } from '../auth/harness.js';
import { signInWithIdp } from '../support/browser.js';
import { BIN, ensureBuilt, me, meJson, sandbox } from './support.js';

// `me login` through the real authorization server, the test IdP and headless Chromium; then the
// refresh-aware bearer source: proactive refresh, concurrent refreshes across processes, 401 retry, logout.
let world: AuthWorld;
let box: ReturnType<typeof sandbox>;
let env: Record<string, string>;
const credsFile = () => join(box.env.XDG_CONFIG_HOME!, 'me', 'credentials.json');
const readCreds = () => JSON.parse(readFileSync(credsFile(), 'utf8'));
const patchCreds = (patch: Record<string, unknown>) => {
  const all = readCreds();
  all[world.server.url] = { ...all[world.server.url], ...patch };
  writeFileSync(credsFile(), JSON.stringify(all));
};

before(async () => {
  ensureBuilt();
  world = await startAuthWorld();
  box = sandbox();
  env = { ...box.env, ME_SERVER: world.server.url };
});
after(async () => {
  await world?.close();
  box?.cleanup();
});

/** Runs `me login --no-browser`, drives the printed URL through Chromium, returns the exit code and output. */
async function login(account: string, e: Record<string, string> = env, opts: { paste?: boolean } = {}) {
  const child = spawn(process.execPath, [BIN, 'login', '--no-browser', '--json', '--server', world.server.url], {
    env: { ...process.env, ...e, ME_API_KEY: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /(http:\/\/\S+\/oauth2\/authorize\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('close', (c) => reject(new Error(`me login exited early (${c}): ${stderr}`)));
  });
  const context = await world.browser.newContext();
  const page = await context.newPage();
  if (opts.paste) {
    // A browser on another machine: its redirect to 127.0.0.1 never reaches this one. The browser
    // answers the callback itself (CDP Fetch also catches redirect hops, which page.route does not),
    // and the address it shows is pasted into the CLI.
    const port = new URL(new URL(url).searchParams.get('redirect_uri')!).port;
    const cdp = await context.newCDPSession(page);
    cdp.on('Fetch.requestPaused', (e) => {
      void cdp.send('Fetch.fulfillRequest', { requestId: e.requestId, responseCode: 200, body: Buffer.from('This site cannot be reached').toString('base64') });
    });
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: `http://127.0.0.1:${port}/*`, requestStage: 'Request' }] });
  }
  await page.goto(url);
  await signInWithIdp(page, world.idp.issuer, account);
  if (opts.paste) child.stdin.write(page.url() + '\n');
  const landed = await page.textContent('body');
  await context.close();
  const code = await exited;
  return { code, stdout, stderr, landed: landed ?? '' };
}

describe('me login (OAuth, loopback redirect) and the refresh-aware credential', () => {
  it('signs in through the browser and stores the tokens in a 0600 file (no keychain here)', async () => {
    const r = await login('verified');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.landed, /Signed in/);
    const out = JSON.parse(r.stdout);
    assert.equal(out.stored, 'file');
    assert.equal(statSync(credsFile()).mode & 0o777, 0o600);
    const set = readCreds()[world.server.url];
    assert.ok(set.accessToken && set.refreshToken, 'access and refresh token stored');
    const who = await meJson(['whoami'], { env });
    assert.equal(who.credential, 'oauth');
    assert.equal(who.email, 'vera@example.test');
    // The login remembered the server in the config file.
    assert.match(readFileSync(join(box.env.XDG_CONFIG_HOME!, 'me', 'config.yaml'), 'utf8'), new RegExp(`server: "${world.server.url}"`));
  });

  it('refreshes a token forced to expire (and the server rotates the refresh token)', async () => {
    const before = readCreds()[world.server.url];
    patchCreds({ expiresAt: Date.now() - 1000 });
    const mem = await meJson(['remember', 'written after a refresh', '--tree', '/cli_oauth', '--name', 'one'], { env });
    assert.equal(mem.outcome, 'created');
    const after = readCreds()[world.server.url];
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken, 'rotated');
    assert.ok(after.expiresAt > Date.now());
    // (Replaying the old refresh token would be rejected, and the server then revokes the whole grant
    // as a reuse attack; the logout test checks rejection without ending this session early.)
  });

  it('two processes refreshing at once both work and leave a valid token set', async () => {
    patchCreds({ expiresAt: Date.now() - 1000 });
    const [a, b] = await Promise.all([me(['whoami', '--json'], { env }), me(['count', '--json'], { env })]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    // Neither replayed a rotated token: a third process (forced to refresh again) still works.
    patchCreds({ expiresAt: Date.now() - 1000 });
    const c = await me(['whoami', '--json'], { env });
    assert.equal(c.code, 0, c.stderr);
  });

  it('a 401 on a token it believed valid triggers one refresh and a retry', async () => {
    patchCreds({ accessToken: 'not-a-valid-token', expiresAt: Date.now() + 3600_000 });
    const who = await meJson(['whoami'], { env });
    assert.equal(who.credential, 'oauth');
    assert.notEqual(readCreds()[world.server.url].accessToken, 'not-a-valid-token');
  });

  it('API keys and grants need a signed-in user: --self, --service with --allow and --ttl', async () => {
    const pat = await meJson(['apikey', 'create', 'laptop', '--self', '--allow', '/cli_oauth:read', '--ttl', '7d'], { env });
    assert.match(pat.key, /^me\./);
    assert.deepEqual(pat.restriction, [{ space: null, tree: '/cli_oauth', level: 'read' }]);
    assert.ok(pat.expiresAt);
    const withPat = { ...env, ME_API_KEY: pat.key };
    assert.equal((await meJson(['count', '/cli_oauth'], { env: withPat })).count, 1);
    const denied = await me(['remember', 'nope', '--tree', '/cli_oauth'], { env: withPat });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /FORBIDDEN/);

    const sa = await meJson(['apikey', 'create', 'ci', '--service', 'ci-agent'], { env });
    assert.match(sa.key, /^me\./);
    assert.equal(sa.principalName, 'ci-agent');
    await meJson(['grant', 'set', sa.principal, '/cli_oauth', 'write'], { env });
    const grants = await meJson(['grant', 'list', 'ci-agent'], { env });
    assert.deepEqual(grants.grants.map((g: { tree: string; level: string }) => [g.tree, g.level]), [['/cli_oauth', 'write']]);
    const agent = { ...env, ME_API_KEY: sa.key };
    assert.equal((await meJson(['remember', 'from the agent', '--tree', '/cli_oauth'], { env: agent })).outcome, 'created');
    assert.equal((await meJson(['grant', 'remove', 'ci-agent', '/cli_oauth'], { env })).removed, true);
    const keys = await meJson(['apikey', 'list'], { env });
    assert.ok(keys.keys.some((k: { id: string }) => k.id === pat.id));
    assert.equal((await meJson(['apikey', 'revoke', pat.id], { env })).revoked, true);
    assert.equal((await me(['count'], { env: withPat })).code, 1);
  });

  it('invitations: a link redeemed by another user, an email invitation accepted', async () => {
    await meJson(['space', 'create', 'cli-team'], { env });
    const link = await meJson(['invite', 'create', '--space', 'cli-team', '--level', 'read', '--ttl', '2d'], { env });
    assert.match(link.link, /^inv\./);
    const email = await meJson(['invite', 'create', 'ivan@example.test', '--space', 'cli-team', '--tree', '/shared', '--level', 'write'], { env });
    const listed = await meJson(['invite', 'list', '--space', 'cli-team'], { env });
    assert.deepEqual(listed.invitations.map((i: { id: string }) => i.id).sort(), [link.id, email.id].sort());

    const other = sandbox();
    try {
      const e2 = { ...other.env, ME_SERVER: world.server.url };
      assert.equal((await login('invitee', e2)).code, 0);
      const pending = await meJson(['invite', 'list', '--pending'], { env: e2 });
      assert.deepEqual(pending.invitations.map((i: { id: string }) => i.id), [email.id]);
      const joined = await meJson(['invite', 'accept', email.id], { env: e2 });
      assert.deepEqual([joined.space, joined.level, joined.tree], ['cli-team', 'write', '/shared']);
      assert.equal((await meJson(['remember', 'from ivan', '--tree', '/shared', '--space', 'cli-team'], { env: e2 })).outcome, 'created');
      const redeemed = await meJson(['invite', 'accept', link.link], { env: e2 });
      assert.equal(redeemed.space, 'cli-team');
      assert.equal((await meJson(['invite', 'revoke', link.id, '--space', 'cli-team'], { env })).revoked, true);
    } finally {
      other.cleanup();
    }
  });

  it('headless: the callback address pasted into the terminal completes the sign-in', async () => {
    const other = sandbox();
    try {
      const e2 = { ...other.env, ME_SERVER: world.server.url };
      const r = await login('verified', e2, { paste: true });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.landed, /cannot be reached/, 'the loopback listener was never reached');
      assert.equal((await meJson(['whoami'], { env: e2 })).email, 'vera@example.test');
    } finally {
      other.cleanup();
    }
  });

  it('logout revokes the refresh token at the server and forgets the tokens', async () => {
    const set = readCreds()[world.server.url];
    const out = await meJson(['logout'], { env });
    assert.equal(out.removed, true);
    assert.equal(out.revoked, true);
    assert.throws(() => readCreds()[world.server.url].accessToken);
    const config = await oidc.discovery(new URL(`${world.server.url}/api/v1/auth`), 'me-cli', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    await assert.rejects(oidc.refreshTokenGrant(config, set.refreshToken));
    const who = await me(['whoami'], { env });
    assert.equal(who.code, 1);
    assert.match(who.stderr, /not signed in/);
    assert.match(who.stderr, /me login/);
  });
});
