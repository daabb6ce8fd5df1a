import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Headless Debian Chromium driven by playwright-core (no browser download needed). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
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
