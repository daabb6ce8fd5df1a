import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ensureProvisioned, personalSlug } from '../../server/provisioning/provision.js';
import { startTestServer, type TestServer } from '../support/server.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

const count = async (sqlText: string, id: string) =>
  ((await s.services.sql.unsafe(sqlText, [id])) as unknown as { n: number }[])[0]!.n;

describe('lazy provisioning of signed-in users', () => {
  it('provisioning the same user concurrently creates one principal and one personal space', async () => {
    const user = { id: randomUUID(), name: 'Concurrent Carla', email: 'carla@example.test' };
    s.services.caches.provisioned.clear();
    await Promise.all(Array.from({ length: 8 }, () => ensureProvisioned(s.services, user)));
    s.services.caches.provisioned.clear(); // and again, past the in-process cache: still idempotent
    await ensureProvisioned(s.services, user);
    assert.equal(await count('select count(*)::int as n from core.principal where id = $1', user.id), 1);
    assert.equal(await count("select count(*)::int as n from core.space where created_by = $1 and personal", user.id), 1);
    const [grant] = await s.services.sql<{ slug: string; role: string; level: number; tree: string }[]>`
      select s.slug, sm.role, g.level, g.tree_prefix::text as tree from core.space s
      join core.space_member sm on sm.space_id = s.id join core.grant g on g.space_id = s.id and g.principal_id = sm.principal_id
      where sm.principal_id = ${user.id}`;
    assert.deepEqual(grant, { slug: 'concurrent-carla', role: 'admin', level: 3, tree: '' });
  });

  it('personal space slugs are unique and derived from the name or the email', async () => {
    const a = { id: randomUUID(), name: 'Sam Same', email: 'sam1@example.test' };
    const b = { id: randomUUID(), name: 'Sam Same', email: 'sam2@example.test' };
    await Promise.all([ensureProvisioned(s.services, a), ensureProvisioned(s.services, b)]);
    const slugs = await s.services.sql<{ slug: string }[]>`select slug from core.space where created_by in (${a.id}, ${b.id}) order by slug`;
    assert.equal(slugs.length, 2);
    assert.notEqual(slugs[0]!.slug, slugs[1]!.slug);
    assert.ok(slugs.every((r) => r.slug.startsWith('sam-same')));
    assert.equal(personalSlug({ id: 'x', name: '', email: 'Jo.Doe@example.test' }), 'jo-doe');
    assert.equal(personalSlug({ id: 'x', name: 'Ünïcode Ñame', email: null }), 'unicode-name');
    assert.equal(personalSlug({ id: 'x', name: '***', email: null }), 'user');
  });
});
