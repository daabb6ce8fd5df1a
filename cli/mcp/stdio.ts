import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Client } from '../client/index.js';
import { MeError } from '../client/errors.js';
import { createMcpServer } from '../../mcp/server.js';

/** A project binding (`me init` → `me mcp --tree /projects/x`): the tree calls use when they name none. */
export interface Binding { tree?: string }

/** The tools whose `tree` defaults to the project's: where memories are filed and where agents look. */
const PROJECT_SCOPED = new Set(['memory.create', 'memory.search', 'memory.tree', 'memory.count']);

/**
 * `me mcp`: the same tools over stdio, each call a JSON-RPC request to the server through the CLI's
 * client (whose bearer source refreshes OAuth tokens before expiry and after a 401, so the process
 * can run for days). stdout carries the protocol only; every log line goes to stderr.
 */
export async function serveStdio(client: Client, version: string, binding: Binding = {}, log: (line: string) => void = (l) => process.stderr.write(l + '\n')) {
  const project = binding.tree;
  const server = createMcpServer(
    version,
    (entry, args) => client.call(entry.contract.name, project && PROJECT_SCOPED.has(entry.contract.name) && args.tree === undefined ? { ...args, tree: project } : args),
    (err) => (err instanceof MeError ? { code: err.code, message: err.code === 'UNAUTHORIZED' ? `${err.message} (run \`me login\` again, or set ME_API_KEY)` : err.message } : null),
    (tool, err) => log(`me mcp: ${tool} failed: ${String((err as Error)?.stack ?? err)}`),
    project ? {
      instructions: `## This project\nThis project's memories live under ${project}${client.space ? ` in space "${client.space}"` : ''}. ` +
        'me_memory_create, me_memory_search, me_memory_tree and me_memory_count use that tree when you pass none; pass tree "/" to look wider.',
    } : undefined,
  );
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  log(`me mcp: serving Memory Engine tools from ${client.server}${client.space ? ` (space ${client.space})` : ''}${project ? ` for the project tree ${project}` : ''} on stdio`);
  await closed;
  await server.close();
}
