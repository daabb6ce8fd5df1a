import { bearerSource } from '../auth/bearer.js';
import { createClient } from '../client/index.js';
import { resolveSettings } from '../util/config.js';

/**
 * `me mcp` from its options to a running stdio server. The binary calls it directly for a plain
 * `me mcp [--server URL] [--space SLUG]` (cli/main.ts), without clipanion or the command specs,
 * because an MCP client waits for it to answer `initialize`; `McpCommand` calls it otherwise.
 */
export async function startMcp(flags: { server?: string; space?: string }, version: string): Promise<number> {
  const settings = await resolveSettings(flags);
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
  await serveStdio(createClient({ server: settings.server, space: settings.space, getToken: () => bearer.getToken(), onUnauthorized: (t) => bearer.onUnauthorized(t) }), version);
  return 0;
}

/**
 * The options of a plain `me mcp` invocation, or null when anything else is asked (help, a
 * subcommand, an unknown flag): those go through the full CLI.
 */
export function plainMcpFlags(args: readonly string[]): { server?: string; space?: string } | null {
  const flags: { server?: string; space?: string } = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^(--server|--space|-s)(?:=(.*))?$/.exec(args[i]!);
    if (!m) return null;
    const value = m[2] ?? args[++i];
    if (value === undefined || value === '' || value.startsWith('-')) return null;
    flags[m[1] === '--server' ? 'server' : 'space'] = value;
  }
  return flags;
}
