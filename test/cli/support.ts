import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIfStale } from '../../scripts/build-if-stale.js';

const root = new URL('../../', import.meta.url).pathname;
export const BIN = join(root, 'dist/cli/main.js');

/** Builds dist/ when the compiled CLI is missing or older than its sources. */
export const ensureBuilt = buildIfStale;

export interface Run { code: number; stdout: string; stderr: string }

/** A sandboxed home for the CLI: its own config, cache and credentials. */
export function sandbox() {
  const home = mkdtempSync(join(tmpdir(), 'me-cli-home-'));
  return {
    home,
    env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') } as Record<string, string>,
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** Runs the compiled `me` binary. */
export function me(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string } = {}): Promise<Run> {
  ensureBuilt();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
    if (v !== undefined && !/^(ME_API_KEY|ME_SERVER|ME_SPACE)$/.test(k)) env[k] = v;
  }
  for (const k of ['ME_API_KEY', 'ME_SERVER', 'ME_SPACE'] as const) if (opts.env?.[k]) env[k] = opts.env[k]!;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: opts.cwd ?? root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs `me … --json` and parses stdout; fails with the stderr when it did not exit 0. */
export async function meJson<T = any>(args: string[], opts: Parameters<typeof me>[1] = {}): Promise<T> {
  const r = await me([...args, '--json'], opts);
  if (r.code !== 0) throw new Error(`me ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `me` on a real pseudo-terminal (util-linux `script`), as a person at a terminal would:
 * stdin is a TTY, so confirmations are asked; `answers` is typed in. stdout and stderr arrive
 * together through the terminal (with \r\n line ends, normalized here).
 */
export function meTty(args: string[], opts: { env?: Record<string, string | undefined>; answers?: string } = {}): Promise<{ code: number; output: string }> {
  ensureBuilt();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) if (v !== undefined) env[k] = v;
  const line = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', line, '/dev/null'], { env: { ...env, SHELL: '/bin/sh' }, cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output: output.replace(/\r\n?/g, '\n') }));
    if (opts.answers) child.stdin.write(opts.answers);
  });
}
