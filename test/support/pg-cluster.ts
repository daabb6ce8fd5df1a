import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

// A throwaway Postgres 15 cluster of a test's own, for tests that stop and start Postgres (the shared
// cluster on TEST_DATABASE_URL must never be stopped: other tests use it). Postgres refuses to run as
// root, so under root (CI) every command runs as the postgres user in a directory it owns.

const BIN = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);

export interface Cluster {
  url: string;
  port: number;
  /** Starts Postgres and waits until it accepts connections. */
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: connections are terminated (57P01), new ones refused. */
  stop(): Promise<void>;
  /** pg_isready: true once the server accepts connections. */
  ready(): Promise<boolean>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

/** Whether this machine has Postgres 15's server binaries (Debian's postgresql-15). */
export const haveClusterBinaries = () => existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export async function createCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'me-pg-cluster-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]) : run(join(BIN, tool), args);
  const data = join(dir, 'data');
  const port = await freePort();
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  let running = false;
  const cluster: Cluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await pg('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async ready() {
      try {
        await pg('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-t', '1']);
        return true;
      } catch {
        return false;
      }
    },
    async remove() {
      if (running) await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
