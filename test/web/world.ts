import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Database } from '../../db/connect.js';
import { loadConfig } from '../../server/config.js';
import { startServer, type RunningServer } from '../../server/start.js';
import { launchBrowser, requireChromium, startAll } from '../support/browser.js';
import { freshDatabase } from '../support/db.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { ensureWebBuild } from '../support/web.js';

/**
 * A me server for the web app, on a database and data directory that outlive it: the owner signs in
 * with the one-time owner link (offered only while no identity provider is configured), then the
 * same data is served again with the test IdP, so a second person can sign in and accept an
 * invitation. Cookies survive the restart (same auth secret, same host).
 */
export interface AppWorld {
  browser: Browser;
  server: RunningServer;
  key: string;
  idp: TestIdp | null;
  /** Calls a memory/user operation with the owner's API key. */
  call<T = any>(method: string, params?: unknown, endpoint?: 'memory' | 'user'): Promise<T>;
  /** A browser context signed in as the owner (the owner link), on a page at `/`. */
  ownerPage(): Promise<{ context: BrowserContext; page: Page }>;
  /** Serves the same data again with the test IdP as sign-in provider. */
  restartWithIdp(): Promise<void>;
  close(): Promise<void>;
}

export async function startAppWorld(): Promise<AppWorld> {
  requireChromium(); // before anything starts: no Chromium is a clear failure in seconds
  ensureWebBuild();
  return startAll((started) => build(started));
}

async function build(started: Parameters<Parameters<typeof startAll>[0]>[0]): Promise<AppWorld> {
  const browser = started(await launchBrowser(), (b) => b.close());
  const dataDir = started(mkdtempSync(join(tmpdir(), 'me-web-')), async (d) => rmSync(d, { recursive: true, force: true }));
  const database: Database = started(await freshDatabase(), (d) => d.close());
  const env = { ME_DATA_DIR: dataDir, ME_PORT: '0', ME_LOG_LEVEL: 'silent' };
  let server = started(await startServer(loadConfig(env), { database }), (s) => s.close());
  const key = server.bootstrap!.key;
  let idp: TestIdp | null = null;
  const world: AppWorld = {
    browser, server, key, idp,
    async call(method, params = {}, endpoint = 'memory') {
      const res = await fetch(`${world.server.url}/api/v1/${endpoint}/rpc`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      });
      const body = (await res.json()) as { result?: any; error?: { message: string } };
      if (body.error) throw new Error(`${method}: ${body.error.message}`);
      return body.result;
    },
    async ownerPage() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto((await world.server.auth.ownerSignInLink())!);
      await page.waitForSelector('[data-testid="signed-in"]');
      return { context, page };
    },
    async restartWithIdp() {
      await server.close();
      idp = world.idp = await startIdp();
      server = world.server = await startServer(loadConfig({
        ...env, ME_OIDC_ISSUER: idp.issuer, ME_OIDC_CLIENT_ID: idp.clientId, ME_OIDC_CLIENT_SECRET: idp.clientSecret, ME_OIDC_NAME: 'Test IdP',
      }), { database });
      idp.allowRedirect(`${server.url}/api/v1/auth/callback/oidc`);
    },
    async close() {
      await browser.close().catch(() => {});
      await server.close();
      await idp?.close();
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}
