import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** The Chromium the browser tests drive: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const chromiumPath = () => process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Fails at once, with what to do, when there is no Chromium to run. Browser test files call it
 * (through their harness) before they start anything, so a machine without Chromium gets this
 * message in seconds instead of servers left open until the test timeout.
 */
export function requireChromium(): string {
  const path = chromiumPath();
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`the browser tests need Chromium, and there is none at ${path}${process.env.CHROMIUM_PATH ? ' (CHROMIUM_PATH)' : ''}: install chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable`);
  }
  return path;
}

/** Headless Debian Chromium driven by playwright-core (no browser download needed). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireChromium(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/**
 * Starts the parts of a test world in order; when one fails, closes the ones already started (in
 * reverse) and rethrows, so a failed setup leaves nothing running that would keep the test file open.
 */
export async function startAll<T>(build: (started: <R>(part: R, close: (part: R) => Promise<unknown>) => R) => Promise<T>): Promise<T> {
  const closers: (() => Promise<unknown>)[] = [];
  try {
    return await build((part, close) => {
      closers.push(() => close(part));
      return part;
    });
  } catch (err) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw err;
  }
}

/**
 * From a page showing our /login, signs in with the test IdP (test/support/idp.ts) as `account`:
 * clicks the provider button, fills the IdP's login form, confirms its consent page. Resolves once
 * the browser has left the IdP, wherever the flow ends (/login, or a client's redirect URI).
 */
export async function signInWithIdp(page: Page, idpIssuer: string, account: string): Promise<void> {
  await page.click('button[data-provider="oidc"]');
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', account);
  await page.fill('input[name="password"]', 'any');
  await page.click('button[type="submit"]');
  await page.waitForLoadState('networkidle');
  if (page.url().startsWith(`${idpIssuer}/interaction/`)) {
    await page.click('button[type="submit"]'); // the IdP's consent page
  }
  await page.waitForURL((u) => !u.href.startsWith(idpIssuer));
  await page.waitForLoadState('networkidle');
}

/** A fresh browser context (its own cookies) with one page at `url`. */
export async function openPage(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}
