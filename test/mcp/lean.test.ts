import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { countTokens } from 'gpt-tokenizer';
import { startTestServer, type TestServer } from '../support/server.js';

// What an agent pays for Memory Engine in its context: the tool list (in every conversation) and
// each result. The bounds are the issue's: tools/list ≤ 14,000 characters (≈ 3,500 tokens).

let s: TestServer;
let client: Client;

before(async () => {
  s = await startTestServer();
  client = new Client({ name: 'lean-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(s.url + '/mcp'), { requestInit: { headers: { authorization: `Bearer ${s.key}` } } }));
});
after(async () => {
  await client?.close();
  await s?.close();
});

const text = (r: any) => (r.content as { text: string }[]).map((c) => c.text).join('\n');

describe('lean tools', () => {
  it('tools/list is at most 14,000 characters (≈ 3,500 tokens)', async () => {
    const { tools } = await client.listTools();
    const json = JSON.stringify({ tools });
    const tokens = countTokens(json);
    console.log(`tools/list: ${tools.length} tools, ${json.length} characters, ${tokens} tokens (o200k); largest: ${
      tools.map((t) => [t.name, JSON.stringify(t).length] as const).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, c]) => `${n} ${c}`).join(', ')}`);
    assert.ok(json.length <= 14_000, `tools/list is ${json.length} characters; the budget is 14,000`);
    assert.ok(tokens <= 3_500, `tools/list is ${tokens} tokens; the budget is 3,500`);
  });

  it('me_memory_get reads a 100 KB memory in windows of 20,000 characters unless asked otherwise', async () => {
    const content = Array.from({ length: 10_000 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`).join('').slice(0, 99_999) + '.';
    const m = await s.call('memory.create', { tree: '/big', name: 'log', content });
    const first = await client.callTool({ name: 'me_memory_get', arguments: { id: m.id } }) as any;
    assert.equal(first.structuredContent.content, content.slice(0, 20_000));
    assert.deepEqual([first.structuredContent.totalChars, first.structuredContent.offset, first.structuredContent.truncated], [100_000, 0, true]);
    assert.match(text(first), /content: characters 0-20000 of 100000; read on with offset 20000/);
    assert.ok(text(first).length < 20_400, 'the text result is the window, not the memory');
    const next = await client.callTool({ name: 'me_memory_get_by_path', arguments: { path: '/big/log', offset: 99_990, maxChars: 50 } }) as any;
    assert.equal(next.structuredContent.content, content.slice(99_990));
    assert.match(text(next), /characters 99990-100000 of 100000\n/);
    // A script over JSON-RPC gets the whole memory unless it asks for a window.
    const whole = await s.call('memory.get', { id: m.id });
    assert.equal(whole.content.length, 100_000);
    assert.equal(whole.truncated, false);
    const part = await s.call('memory.getByPath', { path: '/big/log', maxChars: 9, offset: 5 });
    assert.deepEqual([part.content, part.truncated, part.totalChars], [content.slice(5, 14), true, 100_000]);
  });

  it('a window never splits a character made of two UTF-16 units', async () => {
    const m = await s.call('memory.create', { tree: '/emoji', content: 'ab😀cd' });
    const cut = await s.call('memory.get', { id: m.id, maxChars: 3 });
    assert.equal(cut.content, 'ab');
    const from = await s.call('memory.get', { id: m.id, offset: 3 });
    assert.equal(from.content, '😀cd');
  });

  it('results are compact text for the model with structuredContent beside it', async () => {
    for (let i = 0; i < 12; i++) await s.call('memory.create', { tree: '/notes', content: `Release checklist step ${i}: run the migrations, then tag the build and announce it in the channel.` });
    const found = await client.callTool({ name: 'me_memory_search', arguments: { query: 'release checklist' } }) as any;
    assert.equal(found.structuredContent.results.length, 10);
    const t = text(found);
    assert.match(t, /^10 results \(mode keyword\)\n- /);
    assert.ok(t.length < JSON.stringify(found.structuredContent).length, 'the text is smaller than the JSON');
    console.log(`search (10 hits): ${countTokens(t)} tokens of text, ${countTokens(JSON.stringify(found.structuredContent))} as JSON`);
  });
});
