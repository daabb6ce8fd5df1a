import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Client } from '../client/index.js';
import { MeError } from '../client/errors.js';
import { createMcpServer } from '../../mcp/server.js';

/**
 * `me mcp`: the same tools over stdio, each call a JSON-RPC request to the server through the CLI's
 * client (whose bearer source refreshes OAuth tokens before expiry and after a 401, so the process
 * can run for days). stdout carries the protocol only; every log line goes to stderr.
 */
export async function serveStdio(client: Client, version: string, log: (line: string) => void = (l) => process.stderr.write(l + '\n')) {
  const server = createMcpServer(
    version,
    (entry, args) => client.call(entry.contract.name, args),
    (err) => (err instanceof MeError ? { code: err.code, message: err.code === 'UNAUTHORIZED' ? `${err.message} (run \`me login\` again, or set ME_API_KEY)` : err.message } : null),
    (tool, err) => log(`me mcp: ${tool} failed: ${String((err as Error)?.stack ?? err)}`),
  );
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  log(`me mcp: serving Memory Engine tools from ${client.server}${client.space ? ` (space ${client.space})` : ''} on stdio`);
  await closed;
  await server.close();
}
