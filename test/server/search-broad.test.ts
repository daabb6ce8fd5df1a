import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SEARCH_RANK_LIMIT } from '../../contracts/memory.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A keyword search ranks at most SEARCH_RANK_LIMIT matches (server/search/keyword.ts): a query with
// that many or fewer is ranked exactly as a full ranking would, and one with more says `truncated`.
let s: TestServer;
before(async () => {
  s = await startTestServer();
  // SEARCH_RANK_LIMIT harbor memories under /port/a and one more under /port/b; the word's count
  // varies, so the scores (and their order) do.
  const memories = Array.from({ length: SEARCH_RANK_LIMIT + 1 }, (_, i) => ({
    tree: i < SEARCH_RANK_LIMIT ? '/port/a' : '/port/b',
    content: `${'harbor '.repeat((i % 7) + 1)}ship number ${i} ${'crane '.repeat(i % 3)}`,
  }));
  await s.call('memory.batchCreate', { memories });
});
after(async () => { await s?.close(); });

/** Every page of a keyword search, concatenated. */
async function allPages(params: Record<string, unknown>) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let truncated = false;
  do {
    const r = await s.call('memory.search', { mode: 'keyword', limit: 100, ...params, ...(cursor ? { cursor } : {}) });
    ids.push(...r.results.map((x: { id: string }) => x.id));
    truncated ||= r.truncated === true;
    cursor = r.nextCursor ?? undefined;
  } while (cursor);
  return { ids, truncated };
}

/** What ranking every match gives (the order keyword search promises). */
async function fullRanking(query: string, tree: string) {
  const rows = await s.services.sql<{ id: string }[]>`
    select id from core.memory where fts @@ websearch_to_tsquery('english', ${query}) and tree <@ ${tree}::ltree
    order by ts_rank_cd(fts, websearch_to_tsquery('english', ${query}), 32) desc, id desc`;
  return rows.map((r) => r.id);
}

it(`ranks every match, in full-ranking order, when at most ${SEARCH_RANK_LIMIT} match`, async () => {
  const exact = await allPages({ query: 'harbor', tree: '/port/a' });
  assert.equal(exact.ids.length, SEARCH_RANK_LIMIT);
  assert.deepEqual(exact.ids, await fullRanking('harbor', 'port.a'));
  assert.equal(exact.truncated, false);
  const narrow = await allPages({ query: 'harbor crane', tree: '/port' });
  assert.deepEqual(narrow.ids, await fullRanking('harbor crane', 'port'));
  assert.equal(narrow.truncated, false);
});

it(`says truncated when more than ${SEARCH_RANK_LIMIT} match, and pages through the ${SEARCH_RANK_LIMIT} it ranked`, async () => {
  const broad = await allPages({ query: 'harbor', tree: '/port' });
  assert.equal(broad.truncated, true);
  assert.equal(broad.ids.length, SEARCH_RANK_LIMIT);
  assert.equal(new Set(broad.ids).size, SEARCH_RANK_LIMIT);
  const first = await s.call('memory.search', { mode: 'keyword', query: 'harbor' });
  assert.equal(first.truncated, true);
  assert.equal(first.results.length, 10);
});
