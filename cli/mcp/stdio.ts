import type { Client } from '../client/index.js';
import { serverIdentity } from '../../mcp/identity.js';
import { answerInitializeEarly } from './early-initialize.js';

/** A project binding (`me init` → `me mcp --tree /projects/x`): the tree calls use when they name none. */
export interface Binding { tree?: string }

/**
 * `me mcp`: the same tools over stdio, each call a JSON-RPC request to the server through the CLI's
 * client (whose bearer source refreshes OAuth tokens before expiry and after a 401, so the process
 * can run for days). stdout carries the protocol only; every log line goes to stderr. The MCP SDK
 * loads while `initialize` is answered (cli/mcp/early-initialize.ts): an agent waits for that answer.
 */
export async function serveStdio(client: Client, version: string, binding: Binding = {}, log: (line: string) => void = (l) => process.stderr.write(l + '\n')) {
  const sdkServer = import('./stdio-server.js');
  const project = binding.tree;
  const instructions = project
    ? `## This project\nThis project's memories live under ${project}${client.space ? ` in space "${client.space}"` : ''}. ` +
      'me_memory_create, me_memory_search, me_memory_tree and me_memory_count use that tree when you pass none; pass tree "/" to look wider.'
    : undefined;
  log(`me mcp: serving Memory Engine tools from ${client.server}${client.space ? ` (space ${client.space})` : ''}${project ? ` for the project tree ${project}` : ''} on stdio`);
  const streams = await answerInitializeEarly(process.stdin, process.stdout, serverIdentity(version, instructions),
    (ours, sdk) => log(`me mcp: BUG: the early initialize answer differs from the SDK's: ${ours.trim()} vs ${sdk.trim()}`));
  const { runStdioServer } = await sdkServer;
  await runStdioServer(client, version, project, instructions, streams, log);
}
