import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startAuthWorld, type AuthWorld } from '../auth/harness.js';
import { signInWithIdp } from '../support/browser.js';
import { BIN, ensureBuilt, meJson, sandbox } from './support.js';

// `me login --device` (RFC 8628) end to end: the real binary prints a code and the /device address;
// headless Chromium signs in at the test IdP on the /device page, checks the code and approves (or
// denies); the CLI receives the same token set as the browser login.
let world: AuthWorld;
let box: ReturnType<typeof sandbox>;
before(async () => {
  ensureBuilt();
  world = await startAuthWorld();
  box = sandbox();
});
after(async () => {
  await world?.close();
  box?.cleanup();
});

/** Starts `me login --device` (server from ME_SERVER, no --server); resolves once it printed the page and code. */
function startDeviceLogin(env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'login', '--device', '--json'], { env: { ...process.env, ...env, ME_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  const printed = new Promise<{ page: string; code: string; complete: string }>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const page = /open this page on any device[^\n]*\n\n {2}(\S+)/.exec(stderr)?.[1];
      const code = /enter the code\n\n {2}([A-Z0-9]{4}-[A-Z0-9]{4})/.exec(stderr)?.[1];
      const complete = /\(or open (\S+) to have it filled in\)/.exec(stderr)?.[1];
      if (page && code && complete) resolve({ page, code, complete });
    });
    child.on('close', (c) => reject(new Error(`me login --device exited early (${c}): ${stderr}`)));
  });
  return { printed, done: async () => ({ code: await exited, stdout, stderr }) };
}

describe('me login --device', () => {
  it('prints a code and the /device page; approving it there signs the CLI in and saves the server', async () => {
    const env = { ...box.env, ME_SERVER: world.server.url };
    const login = startDeviceLogin(env);
    const { page, code, complete } = await login.printed;
    assert.equal(page, `${world.server.url}/device`);
    assert.equal(complete, `${page}?user_code=${code.replace('-', '')}`);

    const context = await world.browser.newContext();
    const tab = await context.newPage();
    await tab.goto(complete);
    await tab.waitForSelector('button[data-provider="oidc"]');
    await signInWithIdp(tab, world.idp.issuer, 'verified');
    // Back on /device with the code: the page shows who asks and the code to compare.
    await tab.waitForSelector('[data-testid="request"]');
    assert.equal(await tab.textContent('[data-testid="code"]'), code);
    assert.match((await tab.textContent('[data-testid="request"]'))!, /the me command line/);
    await tab.click('[data-testid="approve"]');
    await tab.waitForSelector('[data-testid="done"]');
    assert.match((await tab.textContent('[data-testid="done"]'))!, /the device is signed in/);

    const r = await login.done();
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).server, world.server.url);
    const creds = JSON.parse(readFileSync(join(box.env.XDG_CONFIG_HOME!, 'me', 'credentials.json'), 'utf8'))[world.server.url];
    assert.ok(creds.accessToken && creds.refreshToken, 'an access and a refresh token, like the browser login');
    // ME_SERVER was where it signed in: the config now says so, and the next command needs neither.
    assert.match(readFileSync(join(box.env.XDG_CONFIG_HOME!, 'me', 'config.yaml'), 'utf8'), new RegExp(`^server: "${world.server.url}"$`, 'm'));
    const who = await meJson(['whoami'], { env: box.env });
    assert.equal(who.credential, 'oauth');
    assert.equal(who.email, 'vera@example.test');

    // A second device, typed by hand on the page (already signed in), then denied.
    const denied = startDeviceLogin(env);
    const second = await denied.printed;
    await tab.goto(`${world.server.url}/device`);
    await tab.fill('input[name="user_code"]', second.code.toLowerCase());
    await tab.click('button[type="submit"]');
    await tab.waitForSelector('[data-testid="deny"]');
    await tab.click('[data-testid="deny"]');
    await tab.waitForSelector('[data-testid="done"]');
    const d = await denied.done();
    assert.equal(d.code, 1);
    assert.match(d.stderr, /the sign-in was denied on the device page/);

    // A code that was never issued is refused on the page.
    await tab.goto(`${world.server.url}/device?user_code=ZZZZ-ZZZZ`);
    await tab.waitForSelector('[data-testid="error"]');
    await context.close();
  });

  it('`me login --no-browser` offers the device sign-in', async () => {
    const child = spawn(process.execPath, [BIN, 'login', '--no-browser', '--server', world.server.url], { env: { ...process.env, ...box.env, ME_API_KEY: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve) => child.stderr.on('data', (d) => {
      stderr += d;
      if (/me login --device/.test(stderr)) resolve();
    }));
    child.kill();
    assert.match(stderr, /No browser at all here\? Stop this \(Ctrl-C\) and run `me login --device`/);
  });
});
