import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openDatabase } from '../../db/connect.js';
import { startTestServer } from '../support/server.js';
import { keyFor } from '../support/principals.js';

// The other suites start from a migrated template. This one starts on a brand-new embedded
// database, as `npm start` does on a fresh machine: the one connection is opened before the
// migrations create the extensions, so nothing may depend on types learned at connect time.
it('a brand-new database works on its first start: batches, restricted keys, search', async () => {
  const database = await openDatabase({});
  const s = await startTestServer({ database });
  try {
    const batch = await s.call('memory.batchCreate', {
      onConflict: 'ignore',
      memories: [{ tree: '/first', name: 'a', content: 'first start works' }, { tree: '/first/b', content: 'nested note' }],
    });
    assert.equal(batch.created, 2);
    const owner = (await s.call('whoami', {})).id;
    const narrow = await keyFor(s, owner, { restriction: [{ space: null, tree: 'first', level: 1 }] });
    assert.equal((await s.call('memory.count', {}, { key: narrow })).count, 2);
    assert.equal((await s.call('memory.search', { query: 'first start', tree: '/first' })).results.length, 1);
  } finally {
    await s.close();
    await database.close();
  }
});
