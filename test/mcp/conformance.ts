// Runs the official MCP conformance suite against the hosted /mcp endpoint (not part of `npm test`:
// it downloads Node 22 and the runner through npx). Usage: node --import tsx test/mcp/conformance.ts
//
// The runner's client cannot send a token, so it talks to a loopback proxy that adds the owner's API
// key. The proxy rewrites only its own Host/Origin to the server's: a forged Host or Origin (the DNS
// rebinding scenario) reaches the server unchanged and must be refused there.
import { spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer } from '../support/server.js';

/** The scenarios that apply to a tools-only memory server (others need the SDK's "everything" fixtures). */
export const APPLICABLE = ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'];

const s = await startTestServer();
const target = new URL(s.url);
const proxy = createServer((req, res) => {
  const own = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const headers = { ...req.headers, authorization: `Bearer ${s.key}` };
  if (headers.host === own) headers.host = target.host;
  if (headers.origin === `http://${own}`) headers.origin = target.origin;
  const up = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode!, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(up);
});
await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;

const results: Record<string, number> = {};
for (const scenario of process.argv.slice(2).length ? process.argv.slice(2) : APPLICABLE) {
  // Asynchronous: the server and the proxy live in this process and must keep answering.
  const child = spawn('npx', ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.1.16', 'conformance', 'server', '--url', url, '--scenario', scenario],
    { stdio: ['ignore', 'inherit', 'pipe'] });
  child.stderr.on('data', (d: Buffer) => process.stderr.write(d.toString().split('\n').filter((l) => !/EBADENGINE|npm warn|^\s*(package|required|current|}):?/.test(l)).join('\n')));
  results[scenario] = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
}
proxy.close();
await s.close();
console.log('\nconformance exit codes (0 = pass):', results);
process.exit(Object.values(results).some((c) => c !== 0) ? 1 : 0);
