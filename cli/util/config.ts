import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './paths.js';

/** ~/.config/me/config.yaml: the server to talk to and the default space. */
export interface FileConfig {
  server?: string;
  space?: string;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:3210';
export const configFile = (env: NodeJS.ProcessEnv = process.env) => join(configDir(env), 'config.yaml');

// The file is flat `key: value` (we write it that way); parse that without loading the yaml package,
// which costs ~30 ms at every start. Anything fancier falls back to the full parser.
const FLAT = /^\s*([A-Za-z_][\w-]*)\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^#'"]*?))\s*(?:#.*)?$/;

export async function readConfig(env: NodeJS.ProcessEnv = process.env): Promise<FileConfig> {
  let text: string;
  try {
    text = readFileSync(configFile(env), 'utf8');
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = FLAT.exec(line);
    if (!m) {
      const { parse } = await import('yaml');
      const doc = (parse(text) ?? {}) as Record<string, unknown>;
      return { server: str(doc.server), space: str(doc.space) };
    }
    out[m[1]!] = m[2] !== undefined ? JSON.parse(`"${m[2]}"`) : (m[3] ?? m[4] ?? '');
  }
  return { server: str(out.server), space: str(out.space) };
}
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export async function writeConfig(patch: FileConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const next = { ...(await readConfig(env)), ...patch };
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lines = ['# Memory Engine CLI configuration (`me` rewrites this file)'];
  for (const [k, v] of Object.entries(next)) if (v) lines.push(`${k}: ${JSON.stringify(v)}`);
  const file = configFile(env);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, lines.join('\n') + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

export interface Resolved {
  server: string;
  space?: string;
  /** Where the server came from, for `me status`. */
  serverSource: 'flag' | 'ME_SERVER' | 'config' | 'default';
}

/** Flag > environment > config file > default. */
export async function resolveSettings(flags: { server?: string; space?: string }, env: NodeJS.ProcessEnv = process.env): Promise<Resolved> {
  const file = await readConfig(env);
  const [server, serverSource] = flags.server
    ? [flags.server, 'flag' as const]
    : env.ME_SERVER
      ? [env.ME_SERVER, 'ME_SERVER' as const]
      : file.server
        ? [file.server, 'config' as const]
        : [DEFAULT_SERVER, 'default' as const];
  return { server: normalizeServer(server), serverSource, space: flags.space || env.ME_SPACE || file.space || undefined };
}

/** `localhost:3210` → `http://localhost:3210`; no trailing slash. */
export function normalizeServer(s: string): string {
  const withScheme = /^https?:\/\//i.test(s) ? s : `http://${s}`;
  return withScheme.replace(/\/+$/, '');
}
