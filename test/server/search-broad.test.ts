import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { SEARCH_RANK_LIMIT } from '../../contracts/memory.js';
import { keyFor } from '../support/principals.js';
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

interface PlanNode { 'Relation Name'?: string; 'Actual Loops': number; Plans?: PlanNode[] }

/** The search statement the server runs for `params`, captured from postgres.js as the bench does. */
async function searchStatement(params: Record<string, unknown>, key?: string) {
  const seen: { string: string; parameters: unknown[] }[] = [];
  const options = s.services.sql.options as unknown as { debug: unknown };
  options.debug = (_c: number, string: string, parameters: unknown[]) => seen.push({ string, parameters: [...parameters] });
  try {
    await s.call('memory.search', { mode: 'keyword', ...params }, { key });
  } finally {
    options.debug = false;
  }
  return seen.find((x) => x.string.includes('websearch_to_tsquery'))!;
}

/** For each plan node reading core.grant: the most times it or a node above it ran (1 = once per statement). */
function grantRuns(node: PlanNode, above = 1): number[] {
  const runs = Math.max(above, node['Actual Loops']);
  return [...(node['Relation Name'] === 'grant' ? [runs] : []), ...(node.Plans ?? []).flatMap((p) => grantRuns(p, runs))];
}

// The access check (server/access/predicate.ts) reads the caller's grants once per statement: as
// a per-row `exists` it ran once for every candidate, half of a broad search's time at 100k.
it('reads the grants (and a key\'s restriction) once per search, not once per candidate', async () => {
  const [owner] = await s.services.sql<{ id: string }[]>`select id from core.principal where name = 'owner'`;
  const restricted = await keyFor(s, owner!.id, { restriction: [{ space: null, tree: 'port', level: 1 }] });
  for (const key of [undefined, restricted]) {
    const stmt = await searchStatement({ query: 'harbor', tree: '/port' }, key);
    const [row] = await s.services.sql.unsafe(`explain (analyze, format json) ${stmt.string}`, stmt.parameters as never[]);
    const runs = grantRuns((row!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
    assert.ok(runs.length > 0, 'the plan reads core.grant');
    assert.deepEqual(runs, runs.map(() => 1), `core.grant read ${runs.join(', ')} times (key ${key ? 'restricted' : 'unrestricted'})`);
  }
});
