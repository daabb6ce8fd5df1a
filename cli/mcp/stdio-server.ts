import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Client } from '../client/index.js';
import { MeError } from '../client/errors.js';
import { createMcpServer } from '../../mcp/server.js';
import type { HandOver } from './early-initialize.js';

/** The tools whose `tree` defaults to the project's: where memories are filed and where agents look. */
const PROJECT_SCOPED = new Set(['memory.create', 'memory.search', 'memory.tree', 'memory.count']);

/**
 * The MCP SDK's server on `me mcp`'s stdio (loaded by cli/mcp/stdio.ts while it answers
 * `initialize`): each tool call a JSON-RPC request to the server through the CLI's client.
 * Resolves when the client goes away.
 */
export async function runStdioServer(client: Client, version: string, project: string | undefined, instructions: string | undefined,
  streams: HandOver, log: (line: string) => void) {
  const server = createMcpServer(
    version,
    (entry, args) => client.call(entry.contract.name, project && PROJECT_SCOPED.has(entry.contract.name) && args.tree === undefined ? { ...args, tree: project } : args),
    (err) => (err instanceof MeError ? { code: err.code, message: err.code === 'UNAUTHORIZED' ? `${err.message} (run \`me login\` again, or set ME_API_KEY)` : err.message } : null),
    (tool, err) => log(`me mcp: ${tool} failed: ${String((err as Error)?.stack ?? err)}`),
    instructions ? { instructions } : undefined,
  );
  const transport = new StdioServerTransport(streams.input, streams.output);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    streams.input.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
