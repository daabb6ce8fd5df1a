import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, requireChromium, startAll } from '../support/browser.js';
import { startIdp, type TestIdp } from '../support/idp.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { ensureWebBuild } from '../support/web.js';

export interface AuthWorld {
  server: TestServer;
  idp: TestIdp;
  browser: Browser;
  close(): Promise<void>;
}

/** A me server with the test IdP as its generic OIDC provider, plus a headless browser. */
export async function startAuthWorld(env: Record<string, string> = {}): Promise<AuthWorld> {
  requireChromium(); // before anything starts: no Chromium is a clear failure in seconds
  ensureWebBuild();
  return startAll(async (started) => {
    const browser = started(await launchBrowser(), (b) => b.close());
    const idp = started(await startIdp(), (i) => i.close());
    const server = started(await startTestServer({
      env: { ME_OIDC_ISSUER: idp.issuer, ME_OIDC_CLIENT_ID: idp.clientId, ME_OIDC_CLIENT_SECRET: idp.clientSecret, ME_OIDC_NAME: 'Test IdP', ...env },
    }), (s) => s.close());
    idp.allowRedirect(`${server.url}/api/v1/auth/callback/oidc`);
    return {
      server, idp, browser,
      async close() {
        await browser.close();
        await server.close();
        await idp.close();
      },
    };
  });
}

/** The session cookie header a browser context holds for the server. */
export async function cookieHeader(context: BrowserContext, url: string): Promise<string> {
  const cookies = await context.cookies(url);
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
