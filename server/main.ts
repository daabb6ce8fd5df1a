#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import type { RunningServer } from './start.js';
import { assertDataDirFree } from '../db/lock.js';

// `npm start` and `me serve`: the server, on the embedded database unless DATABASE_URL is set.
// A problem at start (configuration, a busy port) is one line on stderr and exit 1.

/** One line for a start-up failure: the variable or port at fault and what to do. */
function startupProblem(err: unknown, config?: { host: string; port: number }): string {
  if (err instanceof ConfigError) return err.message;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = config ? `${config.host}:${e.port ?? config.port}` : `port ${e.port}`;
  if (e.code === 'EADDRINUSE') return `port ${e.port ?? config?.port} is already in use on ${config?.host ?? 'this machine'} (ME_PORT, or me serve --port): stop the other server or pick another port (0 picks a free one)`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `no permission to listen on ${where} (ME_PORT): ports below 1024 need privileges; pick a port from 1024 up`;
  if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: ME_HOST is not an address of this machine`;
  return `the server could not start: ${e?.message ?? String(err)}`;
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (err) {
  fail(startupProblem(err));
}
// A second server on a busy data dir stops before loading the rest (db/lock.ts takes the lock).
if (!config.databaseUrl) try { assertDataDirFree(config.dataDir + '/pg'); } catch (err) { fail(startupProblem(err)); }
// ME_WORKERS > 1: the primary forks and supervises the workers, and never gets past this line.
const { clusterRole } = await import('./cluster.js');
const role = await clusterRole(config);
const { startServer } = await import('./start.js');
const { mountOwnerLinkMinter, publishOwnerLinkSecret } = await import('./auth/owner-link.js');
const { classifyError } = await import('./util/pg-errors.js');
// A database call whose caller stopped waiting (e.g. a start-up step cut off by an outage) must not
// take the process down with it: the outage is answered as UNAVAILABLE where someone does wait.
process.on('unhandledRejection', (err) => {
  if (classifyError(err)?.code === 'UNAVAILABLE') {
    process.stderr.write(`warning: a database call nobody was waiting for failed: ${String((err as Error)?.message ?? err)}\n`);
    return;
  }
  throw err;
});
let server: RunningServer;
const secret = role.ownerLinkSecret;
for (let waited = false; ;) {
  try {
    server = await startServer(config, {
      ...(role.listenWhenReady ? { listenWhenReady: role.listenWhenReady } : {}),
      extend: (app) => mountOwnerLinkMinter(app, secret, () => server.auth.ownerSignInLink()),
    });
    break;
  } catch (err) {
    // A cluster worker after the first start (another worker already served, or this one replaces
    // one that died) waits out a database outage instead of exiting: its port is not bound until it
    // serves, and exiting would make the primary give up on the whole server after six tries.
    if (!role.listenWhenReady || classifyError(err)?.code !== 'UNAVAILABLE') fail(startupProblem(err, config));
    if (!waited) process.stderr.write(`worker waiting for the database: ${String((err as Error)?.message ?? err)}\n`);
    waited = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
role.ready(server.url);
// `me serve --owner-link` finds this server and proves access to its data dir with this file.
const unpublish = role.publishesOwnerLink ? publishOwnerLinkSecret(config.dataDir, server.url, secret) : () => {};
if (server.bootstrap) {
  process.stderr.write(
    `\nFirst start: created the owner, the space "default" and an API key (shown once):\n\n` +
      `  ${server.bootstrap.key}\n\n` +
      `Saved to ${server.bootstrap.keyFile} (mode 0600). Try:\n\n` +
      `  curl -s ${server.url}/api/v1/memory/rpc -H "Authorization: Bearer $(cat ${server.bootstrap.keyFile})" \\\n` +
      `    -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"memory.create","params":{"tree":"/notes","content":"hello"}}'\n\n`,
  );
}
// No identity provider configured: a one-time sign-in link for the owner (AUTH_DESIGN.md).
const ownerLink = role.first ? await server.auth.ownerSignInLink() : null;
if (ownerLink) {
  process.stderr.write(`\nSign in on the web as the owner (one-time link, valid 15 minutes, from this machine only; \`me serve --owner-link\` prints a new one):\n\n  ${ownerLink}\n\n`);
}
// SIGTERM/SIGINT: drain and close (start.ts close()), exit 0; past ME_SHUTDOWN_TIMEOUT_MS, or on a
// second signal, exit 1 with what was still running.
let stopping = false;
for (const signal of role.stopSignals) {
  process.on(signal, () => {
    if (stopping) {
      process.stderr.write(`error: ${signal} again while shutting down (${server.inFlight()} requests in flight): exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    unpublish();
    const deadline = setTimeout(() => {
      process.stderr.write(`error: shutdown took longer than ME_SHUTDOWN_TIMEOUT_MS=${config.shutdownTimeoutMs}; ${server.inFlight()} requests still in flight were cut off\n`);
      server.abort();
      process.exit(1);
    }, config.shutdownTimeoutMs);
    server.close().then(() => process.exit(0), (err) => {
      clearTimeout(deadline);
      process.stderr.write(`error: shutdown failed: ${(err as Error)?.message ?? String(err)}\n`);
      process.exit(1);
    });
  });
}
