import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIfStale } from '../../scripts/build-if-stale.js';
import { packageRoot } from '../../db/package-root.js';

// The real server process (`node dist/server/main.js`, as `npm start` runs it), for tests of what only
// a process shows: signals, exit codes, the order of start-up.

export const SERVER_MAIN = join(packageRoot, 'dist/server/main.js');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  dataDir: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** The URL and the bootstrap API key, once the first start printed them (rejects if it exits first). */
  listening: Promise<{ url: string; key: string }>;
  /** Kills it (if running) and removes its data dir. */
  cleanup(): Promise<void>;
}

export function spawnServer(env: Record<string, string> = {}): ServerProcess {
  buildIfStale();
  const dataDir = mkdtempSync(join(tmpdir(), 'me-proc-'));
  const child = spawn(process.execPath, [SERVER_MAIN], {
    env: { ...process.env, ME_DATA_DIR: dataDir, ME_PORT: '0', ME_LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal ?? -1)));
  const listening = new Promise<{ url: string; key: string }>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-1_000_000);
      // The URL from the first start's curl example: the log level may hide the "listening" line.
      const url = /curl -s (http\S+)\/api\/v1\/memory\/rpc/.exec(stderr)?.[1];
      // The first start (a fresh database: every caller here) prints the bootstrap key after "listening".
      const key = /^\s+(me\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/m.exec(stderr)?.[1];
      if (url && key) resolve({ url, key });
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${stderr}`)));
  });
  listening.catch(() => {});
  child.stdout.resume();
  return {
    child, dataDir, exited, listening,
    stderr: () => stderr,
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
