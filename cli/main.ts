#!/usr/bin/env node
// The `me` binary. Kept tiny: `me --version` answers without loading clipanion, zod or the client
// (`me version` also asks the server, so it goes through the command); the rest is imported on demand.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(pkg.version + '\n');
} else {
  const { run } = await import('./app.js');
  process.exitCode = await run(argv);
}
