import { bearerSource } from '../auth/bearer.js';
import { createClient } from '../client/index.js';
import { resolveSettings } from '../util/config.js';

/**
 * `me mcp` from its options to a running stdio server. The binary calls it directly for a plain
 * `me mcp [--server URL] [--space SLUG] [--tree PATH]` (cli/main.ts), without clipanion or the command specs,
 * because an MCP client waits for it to answer `initialize`; `McpCommand` calls it otherwise.
 */
export interface McpFlags { server?: string; space?: string; tree?: string }

export async function startMcp(flags: McpFlags, version: string): Promise<number> {
  const settings = await resolveSettings({ server: flags.server, space: flags.space });
  const bearer = bearerSource(settings.server);
  // No credential at all: fail at start, not at every tool call.
  if (bearer.kind !== 'apiKey') {
    const { tokenSetLocation } = await import('../auth/store.js');
    if (!(await tokenSetLocation(settings.server))) {
      const { refuseWithoutCredentials } = await import('./no-credentials.js');
      await refuseWithoutCredentials(settings.server, process.stdin, process.stdout, (l) => process.stderr.write(l + '\n'));
      return 1;
    }
  }
  const { serveStdio } = await import('./stdio.js');
  const client = createClient({ server: settings.server, space: settings.space, getToken: () => bearer.getToken(), onUnauthorized: (t) => bearer.onUnauthorized(t) });
  await serveStdio(client, version, { tree: flags.tree });
  return 0;
}

/**
 * The options of a plain `me mcp` invocation, or null when anything else is asked (help, a
 * subcommand, an unknown flag): those go through the full CLI.
 */
export function plainMcpFlags(args: readonly string[]): McpFlags | null {
  const names: Record<string, keyof McpFlags> = { '--server': 'server', '--space': 'space', '-s': 'space', '--tree': 'tree' };
  const flags: McpFlags = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^(--server|--space|-s|--tree)(?:=(.*))?$/.exec(args[i]!);
    if (!m) return null;
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return null;
    flags[names[m[1]!]!] = value;
  }
  return flags;
}
