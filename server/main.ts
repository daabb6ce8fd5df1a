#!/usr/bin/env node
import { loadConfig } from './config.js';
import { startServer } from './start.js';

// `npm start`: the server, on the embedded database unless DATABASE_URL is set.
const config = loadConfig();
const server = await startServer(config);
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
const ownerLink = server.auth.ownerSignInLink();
if (ownerLink) {
  process.stderr.write(`\nSign in on the web as the owner (one-time link, valid 15 minutes, from this machine only):\n\n  ${ownerLink}\n\n`);
}
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}
