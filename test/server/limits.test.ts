import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_CONTENT_BYTES } from '../../contracts/memory-shapes.js';
import { startTestServer, type TestServer } from '../support/server.js';

// Every documented limit is reachable: content of exactly 1 MB is stored, indexed, found and read
// back byte for byte, whatever its words (full text keeps within Postgres' 1 MB tsvector limit by
// indexing a prefix when it must), and the default body limit admits it even fully JSON-escaped.

/** Exactly `bytes` of ASCII: `word(i)` for i = 0, 1, … joined by spaces, cut at the last whole word. */
function text(bytes: number, word: (i: number) => string): string {
  const parts: string[] = [];
  let n = -1;
  for (let i = 0; ; i++) {
    const w = word(i);
    if (n + 1 + w.length > bytes) break;
    parts.push(w);
    n += 1 + w.length;
  }
  return parts.join(' ').padEnd(bytes, '.');
}
/** Distinct letter-only words (base 26): qaaaa, qaaab, … */
const distinctWord = (i: number) => 'q' + i.toString(26).split('').map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('').padStart(4, 'a');
const hexWord = () => randomBytes(4).toString('hex');

const cases = {
  'distinct words': text(MAX_CONTENT_BYTES, distinctWord),
  '8-hex tokens': text(MAX_CONTENT_BYTES, hexWord),
};

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

/** The first word of the content, which full text always indexes. */
const firstWord = (content: string) => content.slice(0, content.indexOf(' '));
const found = async (word: string, id: string) => {
  const r = await s.call('memory.search', { query: word, mode: 'keyword', limit: 100 });
  return r.results.some((x: { id: string }) => x.id === id);
};

describe('content up to the 1 MB limit always works', () => {
  for (const [name, content] of Object.entries(cases)) {
    it(`1 MB of ${name}: created, found, read back, updated, batch-created`, async () => {
      assert.equal(Buffer.byteLength(content), MAX_CONTENT_BYTES);
      const created = await s.call('memory.create', { tree: '/limits', content });
      assert.equal((await s.call('memory.get', { id: created.id })).content, content);
      assert.ok(await found(firstWord(content), created.id), 'found by its first word');

      const other = content.split(' ').reverse().join(' ');
      const updated = await s.call('memory.update', { id: created.id, version: created.version, content: other });
      assert.equal((await s.call('memory.get', { id: created.id })).content, other);
      assert.equal(updated.version, created.version + 1);
      assert.ok(await found(firstWord(other), created.id), 'found after the update');

      const batch = await s.call('memory.batchCreate', { memories: [{ tree: '/limits/batch', content }, { tree: '/limits/batch', content: other }] });
      assert.equal(batch.created, 2);
      assert.equal((await s.call('memory.get', { id: batch.ids[0] })).content, content);
      assert.equal((await s.call('memory.get', { id: batch.ids[1] })).content, other);
    });
  }

  it('ordinary prose of 1 MB is indexed in full, down to its last word', async () => {
    const words = ['the', 'deploy', 'runs', 'on', 'tuesday', 'after', 'review', 'of', 'every', 'change'];
    const content = text(MAX_CONTENT_BYTES - 20, (i) => words[i % words.length]!) + ' zebrafinale';
    const created = await s.call('memory.create', { tree: '/limits/prose', content });
    assert.ok(await found('zebrafinale', created.id));
  });

  it('the default body limit admits a maximal memory with every byte JSON-escaped', async () => {
    const content = '\u0001'.repeat(MAX_CONTENT_BYTES);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'memory.create', params: { tree: '/limits/escaped', content } });
    assert.ok(body.length > 6 * MAX_CONTENT_BYTES, `the body is ${body.length} bytes`);
    const res = await s.post('/api/v1/memory/rpc', body, { authorization: `Bearer ${s.key}` });
    assert.equal(res.status, 200);
    const { result } = await res.json();
    assert.equal((await s.call('memory.get', { id: result.id })).content, content);
  });
});
