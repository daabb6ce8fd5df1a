#!/usr/bin/env node
// The `me` binary. Kept tiny: `me --version` answers without loading clipanion, zod or the client
// (`me version` also asks the server, so it goes through the command), a plain `me mcp` starts its
// server without them; the rest is imported on demand.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const version = () => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const { plainMcpFlags, startMcp } = argv[0] === 'mcp' ? await import('./mcp/start.js') : {};
const mcpFlags = plainMcpFlags?.(argv.slice(1));
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(version() + '\n');
} else if (mcpFlags && startMcp) {
  // An MCP client is waiting for `initialize`: straight to the stdio server (cli/mcp/start.ts).
  process.exitCode = await startMcp(mcpFlags, version());
} else {
  const { run } = await import('./app.js');
  process.exitCode = await run(argv);
}
