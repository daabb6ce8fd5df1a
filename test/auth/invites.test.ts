import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { mintUser } from './users.js';

let s: TestServer;
before(async () => { s = await startTestServer(); });
after(async () => { await s?.close(); });

describe('invitations', () => {
  it('an email invitation is accepted by the verified owner of that address', async () => {
    await s.call('memory.create', { tree: '/team/notes', content: 'shared' }, { space: 'default' });
    const inv = await s.call('invite.create', { space: 'default', email: 'Ivan@Example.test', tree: '/team', level: 'read' });
    assert.equal(inv.kind, 'email');
    assert.equal(inv.email, 'ivan@example.test');
    assert.equal(inv.link, null);
    const ivan = await mintUser(s.services.sql, { name: 'Ivan', email: 'ivan@example.test', verified: true });
    const pending = await s.call('invite.pending', {}, { key: ivan.token });
    assert.deepEqual(pending.invitations.map((i: { id: string }) => i.id), [inv.id]);
    const joined = await s.call('invite.accept', { id: inv.id }, { key: ivan.token });
    assert.deepEqual(joined, { space: 'default', spaceName: 'Default', role: 'member', tree: '/team', level: 'read' });
    assert.deepEqual(await s.call('invite.accept', { id: inv.id }, { key: ivan.token }), joined, 'accepting twice is a no-op');
    const found = await s.call('memory.search', { query: 'shared', space: 'default' }, { key: ivan.token });
    assert.equal(found.results.length, 1);
    assert.equal((await s.fail('memory.create', { tree: '/team', content: 'x', space: 'default' }, { key: ivan.token })).data?.code, 'FORBIDDEN');
    assert.equal((await s.call('invite.pending', {}, { key: ivan.token })).invitations.length, 0);
  });

  it('an unverified email cannot see or accept the invitation addressed to it', async () => {
    const inv = await s.call('invite.create', { space: 'default', email: 'una@example.test' });
    const una = await mintUser(s.services.sql, { name: 'Una', email: 'una@example.test', verified: false });
    assert.equal((await s.fail('invite.pending', {}, { key: una.token })).data?.code, 'FORBIDDEN');
    const refused = await s.fail('invite.accept', { id: inv.id }, { key: una.token });
    assert.equal(refused.data?.code, 'FORBIDDEN');
    assert.match(refused.message, /not verified/);
    const [member] = await s.services.sql`select count(*)::int as n from core.space_member where principal_id = ${una.id}
      and space_id = (select id from core.space where slug = 'default')`;
    assert.equal(member!.n, 0);
    await s.services.sql`update auth.users set email_verified = true where id = ${una.id}`;
    assert.equal((await s.call('invite.accept', { id: inv.id }, { key: una.token })).space, 'default');
  });

  it("another person cannot accept someone else's invitation", async () => {
    const inv = await s.call('invite.create', { space: 'default', email: 'someone@example.test' });
    const mallory = await mintUser(s.services.sql, { name: 'Mallory', email: 'mallory@example.test', verified: true });
    assert.equal((await s.fail('invite.accept', { id: inv.id }, { key: mallory.token })).data?.code, 'NOT_FOUND');
    assert.equal((await s.fail('invite.decline', { id: inv.id }, { key: mallory.token })).data?.code, 'NOT_FOUND');
  });

  it('declining removes it from pending', async () => {
    const inv = await s.call('invite.create', { space: 'default', email: 'dana@example.test' });
    const dana = await mintUser(s.services.sql, { name: 'Dana', email: 'dana@example.test', verified: true });
    assert.equal((await s.call('invite.pending', {}, { key: dana.token })).invitations.length, 1);
    assert.deepEqual(await s.call('invite.decline', { id: inv.id }, { key: dana.token }), { id: inv.id, declined: true });
    assert.equal((await s.call('invite.pending', {}, { key: dana.token })).invitations.length, 0);
  });

  it('a link invitation is redeemed up to its use limit; revoked and expired ones are refused', async () => {
    const inv = await s.call('invite.create', { space: 'default', maxUses: 2, level: 'write', tree: '/drafts' });
    assert.match(inv.link, /^inv\.[A-Za-z0-9_-]{43}$/);
    const [stored] = await s.services.sql`select count(*)::int as n from core.invitation where encode(secret_hash, 'escape') like ${'%' + inv.link.slice(4) + '%'}`;
    assert.equal(stored!.n, 0, 'only the hash of the secret is stored');
    const users = await Promise.all([1, 2, 3].map((n) => mintUser(s.services.sql, { name: `L${n}`, email: `l${n}@example.test`, verified: n !== 2 })));
    assert.equal((await s.call('invite.redeem', { link: inv.link }, { key: users[0]!.token })).level, 'write');
    assert.equal((await s.call('invite.redeem', { link: inv.link }, { key: users[0]!.token })).level, 'write', 'redeeming twice does not use it up');
    await s.call('invite.redeem', { link: inv.link }, { key: users[1]!.token }); // a link needs no verified email
    assert.equal((await s.fail('invite.redeem', { link: inv.link }, { key: users[2]!.token })).data?.code, 'CONFLICT');

    const revoked = await s.call('invite.create', { space: 'default' });
    await s.call('invite.revoke', { space: 'default', id: revoked.id });
    assert.match((await s.fail('invite.redeem', { link: revoked.link }, { key: users[2]!.token })).message, /revoked/);

    const expired = await s.call('invite.create', { space: 'default' });
    await s.services.sql`update core.invitation set expires_at = now() - interval '1 second' where id = ${expired.id}`;
    assert.match((await s.fail('invite.redeem', { link: expired.link }, { key: users[2]!.token })).message, /expired/);
    assert.equal((await s.fail('invite.redeem', { link: 'inv.' + 'x'.repeat(43) }, { key: users[2]!.token })).data?.code, 'NOT_FOUND');

    const listed = await s.call('invite.list', { space: 'default' });
    const mine = listed.invitations.find((i: { id: string }) => i.id === inv.id);
    assert.equal(mine.uses, 2);
    assert.equal(mine.link, undefined, 'the list never shows the link');
  });

  it('only space admins create, list and revoke invitations', async () => {
    const member = await mintUser(s.services.sql, { name: 'Mo', email: 'mo@example.test', verified: true });
    const link = await s.call('invite.create', { space: 'default' });
    await s.call('invite.redeem', { link: link.link }, { key: member.token });
    for (const [method, params] of [['invite.create', { space: 'default' }], ['invite.list', { space: 'default' }], ['invite.revoke', { space: 'default', id: link.id }]] as const) {
      assert.equal((await s.fail(method, params, { key: member.token })).data?.code, 'FORBIDDEN', method);
    }
    assert.equal((await s.fail('invite.create', { space: 'default', email: 'x@example.test', maxUses: 3 })).data?.code, 'VALIDATION_ERROR');
  });
});
