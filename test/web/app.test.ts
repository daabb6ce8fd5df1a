import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { signInWithIdp } from '../support/browser.js';
import { startAppWorld, type AppWorld } from './world.js';

// The memory browser end to end, as a person uses it: headless Chromium against a real server.
let w: AppWorld;
let owner: { context: BrowserContext; page: Page };
const ids: Record<string, string> = {};
const canaries: string[] = [];
const dialogs: string[] = [];

const XSS = [
  '# Hostile note',
  '<img src=x onerror="fetch(\'/xss-canary/img\')">',
  '<script>fetch(\'/xss-canary/script\')</script>',
  '[click me](javascript:fetch(\'/xss-canary/link\'))',
  '<iframe src="javascript:fetch(\'/xss-canary/iframe\')"></iframe>',
  '<iframe srcdoc="<script>parent.fetch(\'/xss-canary/srcdoc\')</script>"></iframe>',
  '![pixel](http://127.0.0.1:9/xss-canary/pixel.png)',
  '[safe link](https://example.com/docs) and <b onmouseover="fetch(\'/xss-canary/b\')">bold html</b>',
].join('\n\n');

before(async () => {
  w = await startAppWorld();
  const made = await w.call('memory.batchCreate', { memories: [
    { tree: '/projects/alpha', name: 'plan', content: '# Plan\n\nShip the *memory browser* this **week**.\n\n- tree\n- search', meta: { owner: 'ana' } },
    { tree: '/projects/beta', name: 'notes', content: 'Beta notes about the migration.' },
    { tree: '/team', name: 'standup', content: 'Standup is at 9:30 every day.' },
    { tree: '/secret', name: 'codes', content: 'The launch codes are zebra-zebra.' },
    { tree: '/xss', name: 'evil', content: XSS },
  ] });
  [ids.plan, ids.beta, ids.standup, ids.secret, ids.xss] = made.ids;
  owner = await w.ownerPage();
  owner.page.on('request', (r) => { if (r.url().includes('xss-canary')) canaries.push(r.url()); });
  owner.page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
});
after(async () => { await w?.close(); });

const url = (p: string) => `${w.server.url}${p}`;
const path = (page: Page) => new URL(page.url()).pathname;

describe('the memory browser', () => {
  it('signed out, / goes to /login and comes back after sign-in', async () => {
    const context = await w.browser.newContext();
    const page = await context.newPage();
    await page.goto(url('/tree/projects'));
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/tree/projects');
    await page.goto((await w.server.auth.ownerSignInLink())!);
    await page.goto(url('/login?next=%2Ftree%2Fprojects'));
    await page.waitForURL((u) => u.pathname === '/tree/projects');
    await page.goto(url('/login?next=https%3A%2F%2Fevil.example%2F'));
    await page.waitForSelector('[data-testid="signed-in"]');
    assert.equal(path(page), '/login', 'next never leaves the server');
    await context.close();
  });

  it('serves the app with a CSP that forbids inline scripts', async () => {
    const res = await fetch(url('/memory/00000000-0000-0000-0000-000000000000'));
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline[^;]*;.*script|script-src[^;]*unsafe/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  });

  it('browses the tree with the keyboard: lazy children with counts', async () => {
    const { page } = owner;
    await page.goto(url('/'));
    const tree = page.getByRole('tree');
    const root = tree.getByRole('treeitem').first();
    await root.locator(':scope > .node .count').filter({ hasText: '5' }).waitFor();
    await page.getByRole('treeitem', { name: /projects/ }).waitFor();
    await root.focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-path')), '/projects');
    await page.keyboard.press('ArrowRight');
    await page.locator('[data-path="/projects/alpha"]').waitFor();
    assert.equal(await page.locator('[data-path="/projects"]').getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/tree/projects/alpha');
    await page.getByTestId('hit').filter({ hasText: '/projects/alpha/plan' }).waitFor();
  });

  it('searches with / and opens a result with the keyboard; the memory renders as Markdown', async () => {
    const { page } = owner;
    await page.locator('body').press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'searchbox');
    await page.keyboard.type('browser');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === 'browser');
    const hit = page.getByTestId('hit').first();
    await hit.locator('mark').first().waitFor();
    assert.equal(await hit.locator('mark').filter({ hasText: /browser/i }).count(), 1);
    await hit.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === `/memory/${ids.plan}`);
    const article = page.getByRole('article');
    assert.equal(await article.locator('h2').innerText(), 'Plan');
    assert.equal(await article.locator('em').innerText(), 'memory browser');
    assert.equal(await article.locator('strong').innerText(), 'week');
    assert.match(await page.getByTestId('meta').innerText(), /"owner": "ana"/);
    assert.equal(await page.getByTestId('changed-by').innerText(), 'owner');
    // Reloading the URL shows the same memory.
    await page.reload();
    await page.getByRole('article').waitFor();
  });

  it('edit: a concurrent change is shown, and saving over it deliberately loses nothing', async () => {
    const { page } = owner;
    await page.locator('body').press('e');
    await page.waitForURL((u) => u.pathname === `/memory/${ids.plan}/edit`);
    await page.getByTestId('field-content').fill('# Plan\n\nMy edit from the browser.');
    await w.call('memory.update', { id: ids.plan, version: 1, content: '# Plan\n\nChanged elsewhere meanwhile.' });
    await page.getByTestId('save').click();
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    assert.match(await conflict.innerText(), /Changed elsewhere meanwhile/);
    assert.equal(await page.getByTestId('field-content').inputValue(), '# Plan\n\nMy edit from the browser.', 'the draft is kept');
    await page.getByTestId('conflict-overwrite').click();
    await page.waitForURL((u) => u.pathname === `/memory/${ids.plan}`);
    assert.equal(await page.getByTestId('version').innerText(), '3');
    const h = await w.call('memory.history', { id: ids.plan });
    assert.deepEqual(h.events.map((e: any) => e.snapshot.content.split('\n')[2]), ['My edit from the browser.', 'Changed elsewhere meanwhile.', 'Ship the *memory browser* this **week**.']);
  });

  it('history shows a diff and restores a version', async () => {
    const { page } = owner;
    await page.getByTestId('history').click();
    await page.waitForURL((u) => u.pathname === `/memory/${ids.plan}/history`);
    assert.match(await page.getByTestId('diff').innerText(), /- Changed elsewhere meanwhile\.\n\+ My edit from the browser\./);
    await page.getByTestId('version').nth(1).click();
    await page.getByTestId('revert').click();
    await page.waitForURL((u) => u.pathname === `/memory/${ids.plan}`);
    await page.getByRole('article').getByText('Changed elsewhere meanwhile.').waitFor();
    assert.equal(await page.getByTestId('version').innerText(), '4');
  });

  it('deleting a memory asks first, then offers undo', async () => {
    const { page } = owner;
    await page.getByTestId('delete').click();
    const dialog = page.getByRole('alertdialog');
    assert.match(await dialog.innerText(), /\/projects\/alpha\/plan/);
    await dialog.getByTestId('confirm-delete').click();
    await page.waitForURL((u) => u.pathname === '/tree/projects/alpha');
    assert.equal((await w.call('memory.count', { tree: '/projects/alpha' })).count, 0);
    await page.getByTestId('toast-action').click();
    await page.waitForURL((u) => u.pathname === `/memory/${ids.plan}`);
    assert.equal((await w.call('memory.get', { id: ids.plan })).version, 5);
  });

  it('deletes a tree, finds it in the trash and restores it', async () => {
    const { page } = owner;
    await page.goto(url('/tree/projects'));
    await page.getByTestId('delete-tree').click();
    const dialog = page.getByRole('alertdialog');
    assert.match(await dialog.innerText(), /2 memories at and below \/projects/);
    await dialog.getByTestId('confirm-delete').click();
    await page.waitForURL((u) => u.pathname === '/');
    assert.equal((await w.call('memory.count', { tree: '/projects' })).count, 0);
    await page.goto(url('/trash?tree=%2Fprojects'));
    await page.getByTestId('trash-item').nth(1).waitFor();
    assert.deepEqual((await page.getByTestId('trash-item').locator('.path').allInnerTexts()).sort(), ['/projects/alpha/plan', '/projects/beta/notes']);
    await page.getByTestId('restore-all').click();
    await page.getByTestId('empty').waitFor();
    assert.equal((await w.call('memory.count', { tree: '/projects' })).count, 2);
    await page.goto(url('/activity?tree=%2Fprojects'));
    await page.getByTestId('event').first().waitFor();
    assert.match(await page.getByTestId('event').first().innerText(), /created.*\/projects\/.*owner/is);
  });

  it('renders hostile content inert: no script runs, nothing is fetched', async () => {
    const { page } = owner;
    await page.goto(url(`/memory/${ids.xss}`));
    const article = page.getByRole('article');
    await article.getByText('Hostile note').waitFor();
    assert.equal(await article.locator('img, script, iframe, object, embed').count(), 0);
    const hrefs = await article.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    // The image is offered as a link to click, never loaded; the javascript: link lost its target.
    assert.deepEqual(hrefs, ['http://127.0.0.1:9/xss-canary/pixel.png', 'https://example.com/docs']);
    await article.getByText('click me').click();
    await article.getByText('bold html').first().hover();
    assert.match(await article.innerText(), /<script>/, 'the HTML is shown as text');
    await page.waitForTimeout(300);
    assert.deepEqual(canaries, [], 'no injected code made a request');
    assert.deepEqual(dialogs, []);
    assert.equal(path(page), `/memory/${ids.xss}`);
  });

  it('creates a memory and an API key (shown once), then revokes the key', async () => {
    const { page } = owner;
    await page.goto(url('/new?tree=%2Fteam'));
    await page.getByTestId('field-name').fill('retro');
    await page.getByTestId('field-content').fill('Retro on Fridays.');
    await page.getByTestId('save').click();
    await page.waitForURL((u) => u.pathname.startsWith('/memory/'));
    assert.equal((await w.call('memory.getByPath', { path: '/team/retro' })).content, 'Retro on Fridays.');

    await page.goto(url('/settings/keys'));
    await page.getByTestId('key-name').fill('browser test key');
    await page.getByTestId('create-key').click();
    const key = await page.getByTestId('key-value').innerText();
    assert.match(key, /^me\./);
    const whoami = (k: string) => fetch(url('/api/v1/user/rpc'), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'whoami', params: {} }) });
    assert.equal((await whoami(key)).status, 200);
    await page.reload();
    assert.equal(await page.getByTestId('key-value').count(), 0, 'the key is not shown again');
    const row = page.getByTestId('key-row').filter({ hasText: 'browser test key' });
    await row.getByTestId('revoke-key').click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await whoami(key)).status, 401);
  });

  it('an invited person signs in with the IdP, accepts, and sees only what the grant allows', async () => {
    const { page } = owner;
    await page.goto(url('/settings/invitations'));
    await page.getByTestId('invite-tree').fill('/team');
    await page.getByTestId('invite-level').selectOption('read');
    await page.getByTestId('create-invite').click();
    const link = await page.getByTestId('invite-link').innerText();
    const invitePath = new URL(link).pathname;
    assert.match(invitePath, /^\/invite\/inv\./);
    await owner.context.close();

    await w.restartWithIdp();
    const context = await w.browser.newContext();
    const ivan = await context.newPage();
    await ivan.goto(url(invitePath));
    await ivan.waitForURL((u) => u.pathname === '/login');
    await signInWithIdp(ivan, w.idp!.issuer, 'invitee');
    await ivan.waitForURL((u) => u.pathname === invitePath);
    await ivan.getByTestId('accept-invite').click();
    await ivan.getByTestId('invite-joined').waitFor();
    await ivan.getByRole('link', { name: /Open/ }).click();
    await ivan.waitForURL((u) => u.pathname === '/' && u.searchParams.get('space') === 'default');
    const tree = ivan.getByRole('tree');
    await tree.locator('[data-path="/team"]').waitFor();
    assert.deepEqual(await tree.locator('[role="group"] > [role="treeitem"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path'))), ['/team']);
    assert.equal(await tree.getByRole('treeitem').first().locator(':scope > .node .count').innerText(), '2');
    await ivan.goto(url('/search?q=zebra&space=default'));
    await ivan.getByTestId('empty').waitFor();
    await ivan.goto(url(`/memory/${ids.secret}?space=default`));
    assert.match(await ivan.getByTestId('error').innerText(), /not found/);
    await ivan.goto(url(`/memory/${ids.standup}?space=default`));
    await ivan.getByRole('article').getByText('Standup is at 9:30').waitFor();
    await context.close();
  });
});
