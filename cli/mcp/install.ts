import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConfigFormat } from './config-file.js';

// The MCP clients `me mcp install` and `me init` know: where each keeps its MCP servers, in which
// format, and what our entry looks like there. Each client's own layout, nothing shared but the name.

export const MCP_CLIENTS = ['claude-code', 'claude-desktop', 'cursor', 'codex', 'opencode', 'vscode', 'windsurf', 'gemini-cli'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];

/** How a client starts `me mcp`: absolute paths, because desktop apps do not inherit a shell's PATH. */
export interface Launch { command: string; args: string[]; env?: Record<string, string> }

export const SERVER_NAME = 'memory-engine';

export interface ClientSpec {
  label: string;
  format: ConfigFormat;
  /** Where our entry goes inside the file. */
  key: string[];
  /** The entry in this client's own shape. */
  entry(launch: Launch): Record<string, unknown>;
  /** The user-wide config file; null when the client is configured through its own CLI (claude-code). */
  userFile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | null;
  /** The project's config file (`me init`), relative to the project directory; null when it has none. */
  projectFile: string | null;
}

const home = (env: NodeJS.ProcessEnv) => env.HOME || homedir();
const xdgConfig = (env: NodeJS.ProcessEnv) => env.XDG_CONFIG_HOME || join(home(env), '.config');

/** `mcpServers: { name: { command, args, env } }`: Claude's layout, which several clients copied. */
const claudeStyle = (launch: Launch) => ({ command: launch.command, args: launch.args, ...(launch.env ? { env: launch.env } : {}) });

export const CLIENTS: Record<McpClient, ClientSpec> = {
  'claude-code': {
    label: 'Claude Code', format: 'json', key: ['mcpServers', SERVER_NAME], entry: claudeStyle,
    userFile: () => null, projectFile: '.mcp.json',
  },
  'claude-desktop': {
    label: 'Claude Desktop', format: 'json', key: ['mcpServers', SERVER_NAME], entry: claudeStyle,
    userFile: (env, platform) => platform === 'darwin' ? join(home(env), 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json')
      : platform === 'win32' ? join(env.APPDATA || join(home(env), 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json')
      : join(xdgConfig(env), 'Claude', 'claude_desktop_config.json'),
    projectFile: null,
  },
  cursor: {
    label: 'Cursor', format: 'json', key: ['mcpServers', SERVER_NAME], entry: claudeStyle,
    userFile: (env) => join(home(env), '.cursor', 'mcp.json'), projectFile: join('.cursor', 'mcp.json'),
  },
  codex: {
    label: 'Codex', format: 'toml', key: ['mcp_servers', SERVER_NAME], entry: claudeStyle,
    userFile: (env) => join(env.CODEX_HOME || join(home(env), '.codex'), 'config.toml'), projectFile: null,
  },
  opencode: {
    label: 'OpenCode', format: 'jsonc', key: ['mcp', SERVER_NAME],
    entry: (launch) => ({ type: 'local', command: [launch.command, ...launch.args], enabled: true, ...(launch.env ? { environment: launch.env } : {}) }),
    userFile: (env) => join(xdgConfig(env), 'opencode', 'opencode.json'), projectFile: 'opencode.json',
  },
  vscode: {
    label: 'VS Code', format: 'jsonc', key: ['servers', SERVER_NAME],
    entry: (launch) => ({ type: 'stdio', ...claudeStyle(launch) }),
    userFile: (env, platform) => join(platform === 'darwin' ? join(home(env), 'Library', 'Application Support')
      : platform === 'win32' ? env.APPDATA || join(home(env), 'AppData', 'Roaming') : xdgConfig(env), 'Code', 'User', 'mcp.json'),
    projectFile: join('.vscode', 'mcp.json'),
  },
  windsurf: {
    label: 'Windsurf', format: 'json', key: ['mcpServers', SERVER_NAME], entry: claudeStyle,
    userFile: (env) => join(home(env), '.codeium', 'windsurf', 'mcp_config.json'), projectFile: null,
  },
  'gemini-cli': {
    label: 'Gemini CLI', format: 'jsonc', key: ['mcpServers', SERVER_NAME], entry: claudeStyle,
    userFile: (env) => join(home(env), '.gemini', 'settings.json'), projectFile: join('.gemini', 'settings.json'),
  },
};

/** The `claude mcp add` command line for Claude Code (user scope). */
export function claudeCodeArgs(launch: Launch): string[] {
  const env = Object.entries(launch.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return ['mcp', 'add', '--scope', 'user', ...env, SERVER_NAME, '--', launch.command, ...launch.args];
}

export const claudeCodeRemoveArgs = () => ['mcp', 'remove', '--scope', 'user', SERVER_NAME];
