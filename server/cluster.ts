import cluster, { type Worker } from 'node:cluster';
import { newOwnerLinkSecret, publishOwnerLinkSecret } from './auth/owner-link.js';
import type { ServerConfig } from './config.js';

// ME_WORKERS > 1 (server Postgres): the process started (`npm start`, `me serve`) becomes a primary
// that only supervises. It forks the workers, which share the port (node:cluster's primary accepts
// and hands connections round-robin); each worker is a whole server with its own pool, and they
// agree through Postgres (server/invalidation.ts, docs/scaling.md). Worker 1 starts alone first, so
// migrations, the first-start bootstrap (the owner's key, printed once), the generated auth secret
// and the owner link happen once; the others start when it serves.

const READY = 'me:ready';
const INDEX_VAR = 'ME_WORKER_INDEX';
const SECRET_VAR = 'ME_WORKER_OWNER_LINK_SECRET';
const PORT_VAR = 'ME_WORKER_PORT';

export interface ClusterRole {
  /** The only process, or worker 1's first run: prints the first-start output and the owner link. */
  first: boolean;
  /** Secret for `me serve --owner-link`: the same in every worker, since any of them may get the request. */
  ownerLinkSecret: string;
  /** What stops this process. A worker leaves SIGINT (a terminal's Ctrl-C reaches every process) to the primary. */
  stopSignals: NodeJS.Signals[];
  /**
   * Every worker but the first start binds the port only once it can serve (server/http/listen.ts);
   * it is the port worker 1 bound (ME_PORT may be 0).
   */
  listenWhenReady?: { port: number };
  /** Writes the owner-link secret file for `me serve --owner-link` (with workers the primary does, for its whole life). */
  publishesOwnerLink: boolean;
  /** Tells the primary this process serves, at this URL. */
  ready(url: string): void;
}

/**
 * This process's part. In the primary of several workers it never returns: it forks and watches
 * them, forwards SIGINT/SIGTERM as SIGTERM, and exits once they have all exited.
 */
export async function clusterRole(config: ServerConfig): Promise<ClusterRole> {
  if (cluster.isWorker) {
    const secret = process.env[SECRET_VAR]!;
    const first = process.env[INDEX_VAR] === '1';
    const port = Number(process.env[PORT_VAR]);
    delete process.env[SECRET_VAR]; // not handed down to anything the server spawns
    process.on('SIGINT', () => {});
    return {
      first,
      ownerLinkSecret: secret,
      stopSignals: ['SIGTERM'],
      ...(first ? {} : { listenWhenReady: { port } }),
      publishesOwnerLink: false,
      ready: (url) => process.send?.({ me: READY, url }),
    };
  }
  if (config.workers <= 1) return { first: true, ownerLinkSecret: newOwnerLinkSecret(), stopSignals: ['SIGINT', 'SIGTERM'], publishesOwnerLink: true, ready() {} };
  return supervise(config.workers, config.dataDir);
}

async function supervise(count: number, dataDir: string): Promise<never> {
  const secret = newOwnerLinkSecret();
  const live = new Set<Worker>();
  let stopping = false;
  let failed = false;
  let port = 0; // worker 1 serves on it
  const restarts: number[] = [];

  const fork = (index: number, respawn = false): Worker => {
    // A respawned worker 1 is not the first start: it prints nothing again.
    const worker = cluster.fork({ [INDEX_VAR]: respawn && index === 1 ? '1r' : String(index), [SECRET_VAR]: secret, [PORT_VAR]: String(port) });
    live.add(worker);
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      if (stopping || !port) {
        // A worker that could not start, or did not finish its shutdown (ME_SHUTDOWN_TIMEOUT_MS),
        // makes the primary exit 1; one replaced while serving does not.
        if (code !== 0 && signal !== 'SIGTERM') failed = true;
        return finishIfDone();
      }
      // A worker that dies while serving is replaced, unless they keep dying (then stop it all).
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > 5) {
        process.stderr.write('error: server workers keep exiting (6 within a minute); stopping\n');
        failed = true;
        return stop();
      }
      process.stderr.write(`worker ${index} exited (${signal ?? `code ${code}`}); starting another\n`);
      fork(index, true);
    });
    return worker;
  };

  let unpublish = () => {};
  const finishIfDone = () => {
    if (live.size > 0) return;
    unpublish();
    process.exit(failed ? 1 : 0);
  };
  let forced = false;
  const stop = () => {
    if (stopping) {
      // A second signal: do not wait for in-flight requests.
      if (!forced) for (const w of live) w.process.kill('SIGKILL');
      forced = true;
      return;
    }
    stopping = true;
    for (const w of live) w.process.kill('SIGTERM');
    finishIfDone();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);

  // Worker 1 alone, until it serves; if it cannot start, it has said why, and the primary exits 1.
  const first = fork(1);
  const url = await new Promise<string>((resolve) => {
    first.on('message', (m: { me?: string; url?: string }) => { if (m?.me === READY) resolve(m.url!); });
  });
  port = Number(new URL(url).port);
  unpublish = publishOwnerLinkSecret(dataDir, url, secret);
  for (let i = 2; i <= count && !stopping; i++) fork(i);
  return new Promise<never>(() => {}); // the exit handlers end the process
}
