import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const MCP_CLIENTS = ['claude-code', 'claude-desktop', 'cursor'] as const;
export type McpClient = (typeof MCP_CLIENTS)[number];

/** How a client starts `me mcp`: absolute paths, because desktop apps do not inherit a shell's PATH. */
export interface Launch { command: string; args: string[]; env?: Record<string, string> }

export const SERVER_NAME = 'memory-engine';

/** Where a client keeps its MCP servers (claude-code is configured through its own CLI instead). */
export function configPath(client: Exclude<McpClient, 'claude-code'>, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = env.HOME || homedir();
  if (client === 'cursor') return join(home, '.cursor', 'mcp.json');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'Claude', 'claude_desktop_config.json');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'Claude', 'claude_desktop_config.json');
}

/** The `claude mcp add` command line for Claude Code. */
export function claudeCodeArgs(launch: Launch): string[] {
  const env = Object.entries(launch.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return ['mcp', 'add', '--scope', 'user', ...env, SERVER_NAME, '--', launch.command, ...launch.args];
}

/**
 * Adds (or replaces) our entry under `mcpServers` in a client's JSON config, keeping everything
 * else; writes atomically. A file that is not JSON is left alone with an error.
 */
export function writeClientConfig(file: string, launch: Launch): { file: string; replaced: boolean } {
  let doc: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch { /* a new file */ }
  if (text !== undefined && text.trim() !== '') {
    try {
      doc = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${file} is not valid JSON (${(err as Error).message}); fix or remove it, or use --print and add the entry by hand`);
    }
  }
  const servers = (doc.mcpServers && typeof doc.mcpServers === 'object' ? doc.mcpServers : {}) as Record<string, unknown>;
  const replaced = SERVER_NAME in servers;
  doc.mcpServers = { ...servers, [SERVER_NAME]: { command: launch.command, args: launch.args, ...(launch.env ? { env: launch.env } : {}) } };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  renameSync(tmp, file);
  return { file, replaced };
}
