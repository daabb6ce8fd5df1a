// MCP measurements (issue 5): tools/call me_memory_search over the hosted /mcp endpoint against the
// same search over JSON-RPC (target ratio ≤ 1.2×), and `me mcp`'s time to a completed initialize
// (target ≤ 400 ms). Registered in bench/measures/index.ts.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { searchCases } from '../harness/generate.js';
import { post } from '../harness/http.js';
import { latency, percentile } from '../harness/stats.js';
import { sizeLabel, type BenchContext, type Measure } from './types.js';
import { packageRoot } from '../../db/package-root.js';
import { buildIfStale } from '../../scripts/build-if-stale.js';

const mcpHeaders = (key: string) => ({ authorization: `Bearer ${key}`, accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' });

export const mcpSearch: Measure = {
  name: 'mcp-search',
  when: 'perSize',
  async run({ target, report, size, quick, seed }: BenchContext) {
    const cases = searchCases(seed, quick ? 200 : 400, size);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const url = `${target.server.url}/mcp`;
    let id = 0;
    const mcp = async (args: object) => {
      const text = await post(agent, url, JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'tools/call', params: { name: 'me_memory_search', arguments: args } }), mcpHeaders(target.key));
      const res = JSON.parse(text) as { result?: { isError?: boolean; content: { text: string }[] } };
      if (!res.result || res.result.isError) throw new Error(`me_memory_search failed: ${text.slice(0, 300)}`);
    };
    const rpc = (args: object) => target.rpc.call('memory.search', args);
    const argsOf = (c: (typeof cases)[number]) => ({ query: c.query, tree: c.tree, mode: 'keyword' });
    for (const c of cases.slice(0, 20)) { await mcp(argsOf(c)); await rpc(argsOf(c)); } // warm up both paths
    // Interleaved, so both see the same cache state and machine load.
    const mcpMs: number[] = [];
    const rpcMs: number[] = [];
    for (const c of cases) {
      let t = performance.now();
      await rpc(argsOf(c));
      rpcMs.push(performance.now() - t);
      t = performance.now();
      await mcp(argsOf(c));
      mcpMs.push(performance.now() - t);
    }
    agent.destroy();
    const m = latency(mcpMs);
    const r = latency(rpcMs);
    const at = sizeLabel(size);
    const db = target.label;
    report.add({ db, metric: `MCP search p50 @${at}`, value: m.p50, unit: 'ms', floor: target.floors[`searchP50@${at}`], note: `p95 ${m.p95.toFixed(2)} ms; JSON-RPC p50 ${r.p50.toFixed(2)} / p95 ${r.p95.toFixed(2)} ms; ${cases.length} queries` });
    // The issue sets the ratio target at 100k memories; smaller sizes are shown for information (the
    // MCP protocol's fixed ~0.1-0.2 ms weighs more against a sub-millisecond search).
    const goal = size >= 100_000 ? { target: { kind: 'max' as const, value: 1.2 } } : {};
    report.add({ db, metric: `MCP/JSON-RPC search ratio p50 @${at}`, value: m.p50 / r.p50, unit: '×', ...goal, note: `p95 ratio ${(m.p95 / r.p95).toFixed(2)}×` });
  },
};

/** Wall-clock ms of `node -e 0`: the floor for any Node command's start. */
function nodeStart(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - t));
  });
}

export const mcpStdioInit: Measure = {
  name: 'mcp-stdio',
  when: 'once',
  async run({ target, report }: BenchContext) {
    const bin = `${packageRoot}/dist/cli/main.js`;
    buildIfStale();
    const runs: number[] = [];
    const node: number[] = [];
    // Interleaved with `node -e 0`, so both see the same machine load.
    for (let i = 0; i < 11; i++) {
      node.push(await nodeStart());
      const t = performance.now();
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(new StdioClientTransport({
        command: process.execPath, args: [bin, 'mcp'], stderr: 'ignore',
        env: { ...process.env, ME_SERVER: target.server.url, ME_API_KEY: target.key } as Record<string, string>,
      }));
      runs.push(performance.now() - t);
      await client.close();
    }
    const [first, ...rest] = runs; // the first run also fills the CLI's spec cache
    const med = percentile(rest, 50);
    const nodeMed = percentile(node, 50);
    report.add({ db: target.label, metric: '`me mcp` spawn → initialize done (median)', value: med, unit: 'ms', floor: nodeMed, target: { kind: 'max', value: 400 }, note: `first run ${first!.toFixed(0)} ms (fills the CLI's spec cache); floor: node -e 0` });
    report.add({ db: target.label, metric: '`me mcp` initialize / `node -e 0` (median)', value: med / nodeMed, unit: '×', target: { kind: 'max', value: 2.5 }, note: `${med.toFixed(0)} ms vs ${nodeMed.toFixed(0)} ms, ${rest.length} runs each` });
  },
};
