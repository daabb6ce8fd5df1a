// What an agent pays in its context window for Memory Engine (issue 12): the tools/list it reads in
// every conversation, the instructions, and the text of a typical search (10 hits) and get, counted
// with a real tokenizer (o200k; Claude's differs by a few percent). Registered in index.ts.
import http from 'node:http';
import { countTokens } from 'gpt-tokenizer';
import { searchCases } from '../harness/generate.js';
import { post } from '../harness/http.js';
import { sizeLabel, type BenchContext, type Measure } from './types.js';

const headers = (key: string) => ({ authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' });

export const agentContext: Measure = {
  name: 'agent-context',
  when: 'perSize',
  async run({ target, report, size, seed }: BenchContext) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = `${target.server.url}/mcp`;
    let id = 0;
    const rpc = async (method: string, params: object) => {
      const res = JSON.parse(await post(agent, url, JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }), headers(target.key))) as { result?: any; error?: unknown };
      if (!res.result || res.result.isError) throw new Error(`${method} failed: ${JSON.stringify(res).slice(0, 300)}`);
      return res.result;
    };
    const db = target.label;
    const at = sizeLabel(size);
    if (size === 10_000 || size < 10_000) {
      const init = await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
      const list = JSON.stringify({ tools: (await rpc('tools/list', {})).tools });
      report.add({ db, metric: 'MCP tools/list size', value: list.length, unit: 'chars', target: { kind: 'max', value: 14_000 }, note: `${countTokens(list)} tokens; was 34,471 chars before issue 12` });
      report.add({ db, metric: 'MCP instructions (playbook)', value: countTokens(init.instructions ?? ''), unit: 'tokens', note: `${(init.instructions ?? '').split(/\s+/).length} words` });
    }
    // A typical search: a few words, 10 hits, as the model reads it (the text content).
    const cases = searchCases(seed, 20, size);
    const searchTokens: number[] = [];
    let firstHit = '';
    for (const c of cases) {
      const r = await rpc('tools/call', { name: 'me_memory_search', arguments: { query: c.query.split(' ')[0], limit: 10 } });
      if (r.structuredContent.results.length < 10) continue;
      searchTokens.push(countTokens(r.content[0].text));
      firstHit ||= r.structuredContent.results[0].id;
    }
    if (!searchTokens.length) throw new Error('no query gave 10 hits');
    const median = searchTokens.sort((a, b) => a - b)[Math.floor(searchTokens.length / 2)]!;
    report.add({ db, metric: `MCP search, 10 hits (text) @${at}`, value: median, unit: 'tokens', note: `median of ${searchTokens.length} queries` });
    const got = await rpc('tools/call', { name: 'me_memory_get', arguments: { id: firstHit } });
    report.add({ db, metric: `MCP get, one memory (text) @${at}`, value: countTokens(got.content[0].text), unit: 'tokens', note: `${got.structuredContent.totalChars} characters of content` });
    // The largest memory an agent can meet (1 MB) is read 20,000 characters at a time.
    const big = await target.rpc.call<{ id: string }>('memory.create', { tree: '/bench/agent', content: 'word '.repeat(199_999) + 'end' });
    const window = await rpc('tools/call', { name: 'me_memory_get', arguments: { id: big.id } });
    report.add({ db, metric: `MCP get, 1 MB memory (default window) @${at}`, value: countTokens(window.content[0].text), unit: 'tokens', target: { kind: 'max', value: 6_000 }, note: `first ${window.structuredContent.content.length} of ${window.structuredContent.totalChars} characters` });
    await target.rpc.call('memory.delete', { id: big.id });
    agent.destroy();
  },
};
