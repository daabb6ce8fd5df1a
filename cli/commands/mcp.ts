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
    ],
  });

  async execute() {
    const { startMcp } = await import('../mcp/start.js');
    return startMcp({ server: this.server, space: this.space }, this.cli.binaryVersion ?? '');
  }
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export class McpInstallCommand extends MeCommand {
  static override paths = [['mcp', 'install']];
  static override usage = Command.Usage({
    category: 'MCP',
    description: 'Add `me mcp` to Claude Code, Claude Desktop or Cursor.',
    details:
      'claude-code runs `claude mcp add --scope user memory-engine -- <node> <me> mcp …`; claude-desktop and cursor ' +
      'get a `memory-engine` entry under mcpServers in their JSON config (other entries are kept). The entry ' +
      'pins the server (and the space, if you pass one) and uses absolute paths. No secret is written: `me mcp` ' +
      'uses your `me login` credentials. --print shows what would be done instead.',
    examples: [
      ['Claude Code', '$0 mcp install claude-code'],
      ['Claude Desktop, for the space "team"', '$0 mcp install claude-desktop --space team'],
      ['Show the Cursor entry without writing it', '$0 mcp install cursor --print'],
    ],
  });
  client_ = Option.String({ name: 'claude-code|claude-desktop|cursor' });
  print = Option.Boolean('--print', false, { description: 'Print the command or config entry instead of applying it' });

  async execute() {
    const { MCP_CLIENTS, claudeCodeArgs, configPath, writeClientConfig, SERVER_NAME } = await import('../mcp/install.js');
    const client = this.client_ as (typeof MCP_CLIENTS)[number];
    if (!MCP_CLIENTS.includes(client)) throw new UsageError(`unknown client "${this.client_}": use one of ${MCP_CLIENTS.join(', ')}`);
    const s = await this.settings();
    const launch = {
      command: process.execPath,
      args: [realpathSync(process.argv[1]!), 'mcp', '--server', s.server, ...(this.space ? ['--space', this.space] : [])],
    };
    if (client === 'claude-code') {
      const args = claudeCodeArgs(launch);
      const line = ['claude', ...args].map(shellQuote).join(' ');
      if (this.print) return void (await this.emit({ client, command: ['claude', ...args] }, () => line));
      const { spawnSync } = await import('node:child_process');
      const r = spawnSync('claude', args, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.error) {
        this.note(`\`claude\` is not on your PATH; run this where it is:\n  ${line}`);
        return 1;
      }
      return r.status ?? 1;
    }
    const file = configPath(client);
    const entry = { mcpServers: { [SERVER_NAME]: launch } };
    if (this.print) return void (await this.emit({ client, file, entry }, () => `${file}:\n${JSON.stringify(entry, null, 2)}`));
    const { replaced } = writeClientConfig(file, launch);
    await this.emit({ client, file, replaced, entry }, () => `${replaced ? 'Updated' : 'Added'} "${SERVER_NAME}" in ${file}; restart ${client === 'cursor' ? 'Cursor' : 'Claude Desktop'} to load it.`);
    return 0;
  }
}

const connectorCategory = 'MCP';

export class ConnectorListCommand extends MeCommand {
  static override paths = [['connector', 'list'], ['connector', 'ls']];
  static override usage = Command.Usage({
    category: connectorCategory,
    description: 'List the applications you connected (MCP clients such as claude.ai or Claude Code).',
    details: 'Shows each application you approved on the consent page: its client id, where it signs in, what it may do, and its space. Needs `me login` (an API key cannot).',
    examples: [['List them', '$0 connector list'], ['As JSON', '$0 connector list --json']],
  });
  async execute() {
    const client = await this.client();
    const r = (await client.call('connector.list', {})) as { connectors: { clientId: string; name: string | null; redirectHosts: string[]; scopes: string[]; space: string | null; approvedAt: string }[] };
    const { table } = await import('../util/render.js');
    await this.emit(r, () => r.connectors.length === 0 ? 'No connected applications.' : table(
      r.connectors.map((c) => ({ client: c.clientId, name: c.name ?? '', signs_in_at: c.redirectHosts.join(' '), scopes: c.scopes.join(' '), space: c.space ?? '(personal)', approved: c.approvedAt })),
      ['client', 'name', 'signs_in_at', 'scopes', 'space', 'approved'],
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
