// npm run fuzz -- [--runs 20000] [--seed N]: the registry fuzzer of test/server/fuzz.test.ts, longer.
// Runs on the embedded database, or on a server Postgres with TEST_DATABASE_URL (a superuser URL).
import { parseArgs } from 'node:util';
import { fuzz, prepare } from './support/fuzz.js';
import { startTestServer } from './support/server.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20000' }, seed: { type: 'string' } } });
const runs = Number(values.runs);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
console.log(`fuzzing ${runs} cases, seed ${seed}, on ${process.env.TEST_DATABASE_URL ? 'server Postgres' : 'the embedded database'}`);
const world = await prepare(await startTestServer());
const started = performance.now();
try {
  await fuzz(world, { runs, seed });
  console.log(`ok: ${runs} cases in ${((performance.now() - started) / 1000).toFixed(1)} s, no INTERNAL, nothing half-written, /health answers`);
} catch (err) {
  console.error(String((err as Error).message ?? err));
  process.exitCode = 1;
} finally {
  await world.s.close();
}
