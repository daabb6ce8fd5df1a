import { after, before, it } from 'node:test';
import { fuzz, prepare, type FuzzWorld } from '../support/fuzz.js';
import { startTestServer } from '../support/server.js';

// Every operation, fed generated and mutated input (test/support/fuzz.ts): never INTERNAL, never a
// 5xx, a failed call changes nothing, and /health answers afterwards. A fixed seed keeps CI
// reproducible; `npm run fuzz -- --runs 20000 [--seed N]` runs longer locally.

let world: FuzzWorld;
before(async () => { world = await prepare(await startTestServer()); });
after(async () => { await world?.s.close(); });

it('300 fuzzed calls across the registry: a result or a clear error each, nothing half-written', async () => {
  const started = performance.now();
  await fuzz(world, { runs: 300, seed: 20_251_130 });
  console.log(`# 300 cases in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
