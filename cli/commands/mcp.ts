import { realpathSync } from 'node:fs';
import { Command, Option, UsageError } from 'clipanion';
import { MeCommand } from './base.js';

// `me mcp` and `me mcp install`, registered in the CLI's command list (cli/commands/index.ts).

export class McpCommand extends MeCommand {
  static override paths = [['mcp']];
  static override usage = Command.Usage({
    category: 'MCP',
    description: 'Serve the Memory Engine tools to an MCP client over stdio.',
    details:
      'Runs an MCP server on stdin/stdout with the same tools as the hosted /mcp endpoint (me_memory_search, ' +
      'me_memory_create, me_context, …). Each tool call goes to the server as JSON-RPC with your `me login` ' +
      'credentials (refreshed automatically, so it can run for days) or ME_API_KEY. Logs go to stderr. ' +
      'MCP clients start it for you: see `me mcp install`.',
    examples: [
      ['Against the default local server', '$0 mcp'],
      ['Another server and space', '$0 mcp --server https://memory.example.com --space team'],
      ['Bound to a project\'s tree (what `me init` writes)', '$0 mcp --space team --tree /projects/api'],
    ],
  });
  tree = Option.String('--tree', { description: 'A project\'s tree: where memories go and searches look when a call names no tree' });

  async execute() {
    const { startMcp } = await import('../mcp/start.js');
    return startMcp({ server: this.server, space: this.space, tree: this.tree }, this.cli.binaryVersion ?? '');
  }
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const clientNames = 'claude-code|claude-desktop|cursor|codex|opencode|vscode|windsurf|gemini-cli';

export class McpInstallCommand extends MeCommand {
  static override paths = [['mcp', 'install']];
  static override usage = Command.Usage({
    category: 'MCP',
    description: 'Add `me mcp` to an MCP client: Claude Code, Claude Desktop, Cursor, Codex, OpenCode, VS Code, Windsurf or Gemini CLI.',
    details:
      'Writes a `memory-engine` entry into the client\'s own user config, in its own format, keeping every other entry, ' +
      'comment and setting; atomically (a temporary file and a rename). claude-code runs `claude mcp add --scope user …`. ' +
      'Files: claude-desktop claude_desktop_config.json, cursor ~/.cursor/mcp.json, codex ~/.codex/config.toml ' +
      '($CODEX_HOME), opencode ~/.config/opencode/opencode.json(c), vscode <VS Code user dir>/mcp.json, windsurf ' +
      '~/.codeium/windsurf/mcp_config.json, gemini-cli ~/.gemini/settings.json. The entry pins the server (and the ' +
      'space, if you pass one) with absolute paths. No secret is written: `me mcp` uses your `me login` credentials. ' +
      '--dry-run shows the change as a diff; --print shows only the entry. For one project, see `me init`.',
    examples: [
      ['Claude Code', '$0 mcp install claude-code'],
      ['Codex, for the space "team"', '$0 mcp install codex --space team'],
      ['See what would change in VS Code\'s config', '$0 mcp install vscode --dry-run'],
    ],
  });
  client_ = Option.String({ name: clientNames });
  print = Option.Boolean('--print', false, { description: 'Print the command or config entry instead of applying it' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Show the change as a diff without writing it' });

  async execute() {
    const { CLIENTS, claudeCodeArgs } = await import('../mcp/install.js');
    const client = mcpClient(this.client_, CLIENTS);
    const s = await this.settings();
    const launch = meLaunch(s.server, this.space);
    if (client === 'claude-code') {
      const args = claudeCodeArgs(launch);
      const line = ['claude', ...args].map(shellQuote).join(' ');
      if (this.print || this.dryRun) return void (await this.emit({ client, command: ['claude', ...args] }, () => line));
      return runClaude(args, line, (l) => this.note(l));
    }
    const { planUserConfig } = await import('../mcp/apply.js');
    const plan = planUserConfig(client, launch);
    if (this.print) return void (await this.emit({ client, file: plan.file, entry: plan.fragment }, () => `${plan.file}:\n${plan.entryText}`));
    if (this.dryRun) return void (await this.emit({ client, file: plan.file, diff: plan.diff }, () => plan.diff || `${plan.file} already has this entry.`));
    plan.apply();
    await this.emit({ client, file: plan.file, replaced: plan.replaced, entry: plan.entry }, () =>
      plan.diff ? `${plan.replaced ? 'Updated' : 'Added'} "memory-engine" in ${plan.file}; restart ${CLIENTS[client].label} to load it.` : `${plan.file} already has this entry.`);
    return 0;
  }
}

export class McpUninstallCommand extends MeCommand {
  static override paths = [['mcp', 'uninstall']];
  static override usage = Command.Usage({
    category: 'MCP',
    description: 'Remove `me mcp` from an MCP client\'s user config (the reverse of `me mcp install`).',
    details: 'Removes only the `memory-engine` entry, keeping everything else; atomically. claude-code runs `claude mcp remove --scope user memory-engine`. --dry-run shows the diff.',
    examples: [['Codex', '$0 mcp uninstall codex'], ['See the change first', '$0 mcp uninstall vscode --dry-run']],
  });
  client_ = Option.String({ name: clientNames });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Show the change as a diff without writing it' });

  async execute() {
    const { CLIENTS, claudeCodeRemoveArgs } = await import('../mcp/install.js');
    const client = mcpClient(this.client_, CLIENTS);
    if (client === 'claude-code') {
      const args = claudeCodeRemoveArgs();
      const line = ['claude', ...args].map(shellQuote).join(' ');
      if (this.dryRun) return void (await this.emit({ client, command: ['claude', ...args] }, () => line));
      return runClaude(args, line, (l) => this.note(l));
    }
    const { planUserRemoval } = await import('../mcp/apply.js');
    const plan = planUserRemoval(client);
    if (this.dryRun) return void (await this.emit({ client, file: plan.file, diff: plan.diff }, () => plan.diff || `${plan.file} has no "memory-engine" entry.`));
    plan.apply();
    await this.emit({ client, file: plan.file, removed: plan.removed }, () =>
      plan.removed ? `Removed "memory-engine" from ${plan.file}; restart ${CLIENTS[client].label}.` : `${plan.file} has no "memory-engine" entry; nothing to do.`);
    return 0;
  }
}

function mcpClient<C extends string>(name: string, clients: Record<C, unknown>): C {
  if (!(name in clients)) throw new UsageError(`unknown client "${name}": use one of ${Object.keys(clients).join(', ')}`);
  return name as C;
}

/** How a client starts `me mcp` on this machine: this node and this `me`, by absolute path. */
export function meLaunch(server: string, space?: string, tree?: string) {
  return {
    command: process.execPath,
    args: [realpathSync(process.argv[1]!), 'mcp', '--server', server, ...(space ? ['--space', space] : []), ...(tree ? ['--tree', tree] : [])],
  };
}

async function runClaude(args: string[], line: string, note: (l: string) => void): Promise<number> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('claude', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) {
    note(`\`claude\` is not on your PATH; run this where it is:\n  ${line}`);
    return 1;
  }
  return r.status ?? 1;
}

const connectorCategory = 'MCP';

export class ConnectorListCommand extends MeCommand {
  static override paths = [['connector', 'list'], ['connector', 'ls']];
  static override usage = Command.Usage({
    category: connectorCategory,
    description: 'List the applications you connected (MCP clients such as claude.ai or Claude Code).',
    details: 'Shows each application you approved on the consent page: its client id, where it signs in, what it may do, its space and the tree and level it is bound to. Needs `me login` (an API key cannot).',
    examples: [['List them', '$0 connector list'], ['As JSON', '$0 connector list --json']],
  });
  async execute() {
    const client = await this.client();
    const r = (await client.call('connector.list', {})) as { connectors: { clientId: string; name: string | null; redirectHosts: string[]; scopes: string[]; space: string | null; tree: string | null; level: string | null; approvedAt: string }[] };
    const { table } = await import('../util/render.js');
    await this.emit(r, () => r.connectors.length === 0 ? 'No connected applications.' : table(
      r.connectors.map((c) => ({
        client: c.clientId, name: c.name ?? '', signs_in_at: c.redirectHosts.join(' '), scopes: c.scopes.join(' '), space: c.space ?? '(personal)',
        bound_to: c.level ? `${c.tree} (${c.level})` : '(not bound)', approved: c.approvedAt,
      })),
      ['client', 'name', 'signs_in_at', 'scopes', 'space', 'bound_to', 'approved'],
    ));
  }
}

export class ConnectorRevokeCommand extends MeCommand {
  static override paths = [['connector', 'revoke']];
  static override usage = Command.Usage({
    category: connectorCategory,
    description: 'Disconnect an application: forget its approval and revoke its tokens.',
    details: 'The hosted /mcp endpoint refuses the application within seconds; it must ask for your consent again to reconnect.',
    examples: [['Disconnect one', '$0 connector revoke k2JfQ0…']],
  });
  clientId = Option.String({ name: 'client-id' });
  async execute() {
    const client = await this.client();
    const r = (await client.call('connector.revoke', { clientId: this.clientId })) as { tokens: number };
    await this.emit(r, () => `Disconnected ${this.clientId} (${r.tokens} token${r.tokens === 1 ? '' : 's'} revoked).`);
  }
}
