// Regenerates docs/screenshots/*.png: the main views of the web app on a small sample space, light
// and one dark. Run with `npm run screenshots` (needs Chromium; uses an embedded database).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../db/package-root.js';
import { startAppWorld } from './world.js';

const out = join(packageRoot, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });
const w = await startAppWorld();
try {
  const made = await w.call('memory.batchCreate', { memories: [
    { tree: '/projects/alpha', name: 'plan', meta: { owner: 'ana', status: 'active' }, temporal: { start: '2026-11-02T09:00:00Z', end: '2026-12-18T17:00:00Z' },
      content: '# Alpha launch plan\n\nShip the **memory browser** before the December freeze.\n\n## Milestones\n\n- [x] Tree and search\n- [x] Edit with version checks\n- [ ] Invite the design team\n\n> Decisions live in `/projects/alpha/decisions`.\n\nSee [the tracker](https://example.com/alpha).' },
    { tree: '/projects/alpha', name: 'decisions', content: 'We chose Postgres with ltree for the tree paths, and full-text search with a GIN index.' },
    { tree: '/projects/beta', name: 'notes', content: 'Beta migrates the import pipeline to batch writes of 1000 memories.' },
    { tree: '/team/process', name: 'deploys', content: 'Deploys happen on Tuesdays and Thursdays, never on Fridays.' },
    { tree: '/team/process', name: 'standup', content: 'Standup is at 9:30, fifteen minutes, cameras optional.' },
    { tree: '/people/ana', name: 'prefs', content: 'Ana prefers dark mode and short meeting notes.' },
    { tree: '/scratch', content: 'A scratch note about the browser release.' },
  ] });
  const plan = made.ids[0];
  await w.call('memory.update', { id: plan, version: 1, content: '# Alpha launch plan\n\nShip the **memory browser** before the December freeze (moved up a week).\n\n## Milestones\n\n- [x] Tree and search\n- [x] Edit with version checks\n- [ ] Invite the design team' });
  await w.call('memory.deleteTree', { tree: '/scratch' });
  const { context, page } = await w.ownerPage();
  await page.setViewportSize({ width: 1280, height: 760 });
  const shot = async (name: string, url: string, ready: string) => {
    await page.goto(`${w.server.url}${url}`);
    await page.waitForSelector(ready);
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`docs/screenshots/${name}.png`);
  };
  await shot('tree', '/tree/projects/alpha', '[data-testid="hit"]');
  await shot('memory', `/memory/${plan}`, 'article h2');
  await shot('search', '/search?q=browser', '[data-testid="hit"] mark');
  await shot('history', `/memory/${plan}/history`, '[data-testid="diff"]');
  await shot('trash', '/trash', '[data-testid="trash-item"]');
  await shot('activity', '/activity', '[data-testid="event"]');
  await shot('settings-keys', '/settings/keys', 'table.list');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('memory-dark', `/memory/${plan}`, 'article h2');
  await context.close();
} finally {
  await w.close();
}
