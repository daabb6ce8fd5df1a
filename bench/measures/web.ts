// The web app at scale (issue 11): how long the tree and a search take to answer in the page, in
// headless Chromium signed in with the owner link, on loopback. Target: < 300 ms at 100k memories.
// Registered in bench/measures/index.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { webDist } from '../../server/http/web.js';
import { searchCases } from '../harness/generate.js';
import { latency } from '../harness/stats.js';
import { sizeLabel, type BenchContext, type Measure } from './types.js';

const RUNS = 15;

async function timed(runs: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t = performance.now();
    await fn(i);
    if (i >= 2) out.push(performance.now() - t); // two warm-up runs
  }
  return out;
}

export const webApp: Measure = {
  name: 'web',
  when: 'perSize',
  async run({ target, report, size, seed }: BenchContext) {
    const db = target.label;
    const at = sizeLabel(size);
    const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
    const link = await target.server.auth.ownerSignInLink();
    if (!existsSync(join(webDist, 'pages', 'app', 'index.html')) || !existsSync(chromiumPath) || !link) {
      report.add({ db, metric: `web tree @${at}`, value: NaN, unit: 'ms', note: 'skipped: needs `npm run build`, Chromium and no identity provider' });
      return;
    }
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page: Page = await (await browser.newContext()).newPage();
      await page.goto(link);
      const base = target.server.url;
      // Opening the app: the HTML, the script, whoami and the root of the tree with its counts.
      const open = await timed(RUNS, async () => {
        await page.goto(`${base}/?space=default`);
        await page.waitForSelector('[role="tree"] [role="group"] [role="treeitem"]');
      });
      // Opening a tree node: its children, lazily, with counts.
      const first = await page.locator('[role="group"] > [role="treeitem"]').first().getAttribute('data-path');
      const expand = await timed(RUNS, async () => {
        const twist = page.locator(`[data-path="${first}"] > .node .twist`);
        if ((await page.locator(`[data-path="${first}"]`).getAttribute('aria-expanded')) === 'true') await twist.click();
        await twist.click();
        await page.waitForSelector(`[data-path="${first}"] [role="group"] [role="treeitem"]`);
      });
      // A search typed in the page, until its results are shown.
      const cases = searchCases(seed + 11, RUNS + 2, size);
      const search = await timed(RUNS, async (i) => {
        const q = cases[i]!.query;
        await page.fill('[role="searchbox"]', q);
        await page.press('[role="searchbox"]', 'Enter');
        await page.waitForFunction((query) => document.querySelector('h1')?.textContent?.includes(query) && !!document.querySelector('[data-testid="hit"], [data-testid="empty"]'), q, { polling: 'raf' });
      });
      const goal = size >= 100_000 ? { target: { kind: 'max' as const, value: 300 } } : {};
      for (const [metric, ms] of [['web: open the app (tree with counts)', open], ['web: open a tree node', expand], ['web: search in the page', search]] as const) {
        const l = latency(ms);
        report.add({ db, metric: `${metric} p95 @${at}`, value: l.p95, unit: 'ms', ...goal, note: `p50 ${l.p50.toFixed(0)} ms; ${l.n} runs in headless Chromium` });
      }
    } finally {
      await browser.close();
    }
  },
};
