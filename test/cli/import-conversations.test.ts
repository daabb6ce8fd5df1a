import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { me, meJson, sandbox } from './support.js';

// `me import --from claude-code|claude-export|chatgpt-export` on fixture files written in each format.

let s: TestServer;
let box: ReturnType<typeof sandbox>;
let dir: string;

before(async () => {
  s = await startTestServer();
  box = sandbox();
  dir = mkdtempSync(join(tmpdir(), 'me-conv-'));
});
after(async () => {
  await s?.close();
  box?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key });
const list = (tree: string) => s.call('memory.search', { tree, fields: ['content', 'meta', 'temporal'], limit: 100 }).then((r: any) => r.results);

function chatgptExport(lastAnswer: string) {
  const msg = (id: string, parent: string | null, role: string, text: string | null, children: string[]) =>
    [id, { id, parent, children, message: text === null ? null : { author: { role }, content: { content_type: 'text', parts: [text] }, create_time: 1714000000 } }];
  return [
    {
      title: 'Postgres vacuum tuning', create_time: 1714000000.5, update_time: 1714003600, conversation_id: 'c0ffee00-1111-4222-8333-444455556666', current_node: 'm4',
      mapping: Object.fromEntries([
        msg('root', null, 'system', null, ['m1']),
        msg('m1', 'root', 'user', 'How do I tune autovacuum for a write-heavy table?', ['m2', 'm2b']),
        msg('m2b', 'm1', 'assistant', 'An abandoned branch that was regenerated.', []),
        msg('m2', 'm1', 'assistant', 'Lower autovacuum_vacuum_scale_factor for that table.', ['m3']),
        msg('m3', 'm2', 'user', 'To what?', ['m4']),
        msg('m4', 'm3', 'assistant', lastAnswer, []),
      ]),
    },
    { title: 'Empty', create_time: 1714000000, update_time: 1714000000, conversation_id: 'empty-1', current_node: null, mapping: {} },
  ];
}

const claudeExport = [{
  uuid: '5d1c4c8e-0000-4000-8000-00000000c1a0', name: 'Naming the billing service', created_at: '2025-02-03T10:00:00.000Z', updated_at: '2025-02-03T10:30:00.000Z',
  chat_messages: [
    { uuid: 'a', sender: 'human', text: 'Suggest names for a billing service.', content: [{ type: 'text', text: 'Suggest names for a billing service.' }], created_at: '2025-02-03T10:00:00Z' },
    { uuid: 'b', sender: 'assistant', text: '', content: [{ type: 'text', text: 'Ledger, Tally or Abacus.' }], created_at: '2025-02-03T10:00:05Z' },
  ],
}];

const claudeCodeSession = [
  { type: 'summary', summary: 'Fix flaky login test', leafUuid: 'x' },
  { type: 'user', sessionId: 's1', cwd: '/home/dev/web-app', timestamp: '2025-05-01T09:00:00.000Z', message: { role: 'user', content: 'The login test fails one run in ten. Why?' } },
  { type: 'assistant', sessionId: 's1', timestamp: '2025-05-01T09:00:10.000Z', message: { role: 'assistant', content: [{ type: 'text', text: 'Let me look at the test.' }, { type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'x' } }] } },
  { type: 'user', sessionId: 's1', timestamp: '2025-05-01T09:00:11.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'file text' }] } },
  { type: 'assistant', sessionId: 's1', timestamp: '2025-05-01T09:01:00.000Z', message: { role: 'assistant', content: [{ type: 'text', text: 'It waits on a timer instead of the redirect; wait for the URL.' }] } },
].map((e) => JSON.stringify(e)).join('\n') + '\n{"type":"user","cut by a cra';

describe('me import --from', () => {
  it('chatgpt-export: one memory per conversation, the branch shown last, idempotent, updated in place when it changed', async () => {
    const file = join(dir, 'conversations.json');
    writeFileSync(file, JSON.stringify(chatgptExport('Try 0.02, and a cost limit of 2000.')));
    const dry = await meJson(['import', file, '--from', 'chatgpt-export', '--dry-run'], { env: env() });
    assert.equal(dry.items, 1);
    assert.equal((await list('/conversations')).length, 0, 'a dry run writes nothing');

    const first = await meJson(['import', file, '--from', 'chatgpt-export'], { env: env() });
    assert.deepEqual([first.created, first.skipped], [1, 1]);
    const [m] = await list('/conversations/chatgpt');
    assert.equal(m.name, 'Postgres_vacuum_tuning-c0ffee00-1111-4222-8333-444455556666');
    assert.equal(m.content, '# Postgres vacuum tuning\n\n**User:** How do I tune autovacuum for a write-heavy table?\n\n' +
      '**Assistant:** Lower autovacuum_vacuum_scale_factor for that table.\n\n**User:** To what?\n\n**Assistant:** Try 0.02, and a cost limit of 2000.');
    assert.deepEqual(m.meta, { source: 'chatgpt-export', conversationId: 'c0ffee00-1111-4222-8333-444455556666', messages: 4, updatedAt: '2024-04-25T00:06:40.000Z' });
    assert.equal(m.temporal.start, '2024-04-24T23:06:40.500Z');

    const again = await meJson(['import', file, '--from', 'chatgpt-export'], { env: env() });
    assert.deepEqual([again.created, again.replaced, again.unchanged], [0, 0, 1], 'the same export changes nothing');
    writeFileSync(file, JSON.stringify(chatgptExport('Try 0.01 instead.')));
    const changed = await meJson(['import', file, '--from', 'chatgpt-export'], { env: env() });
    assert.deepEqual([changed.created, changed.replaced], [0, 1]);
    const [updated] = await list('/conversations/chatgpt');
    assert.equal(updated.id, m.id, 'updated in place');
    assert.match(updated.content, /Try 0\.01 instead\.$/);
  });

  it('claude-export: the claude.ai conversations.json (or its folder)', async () => {
    const folder = join(dir, 'claude-export');
    mkdirSync(folder);
    writeFileSync(join(folder, 'conversations.json'), JSON.stringify(claudeExport));
    const out = await meJson(['import', folder, '--from', 'claude-export', '--tree', '/archive'], { env: env() });
    assert.equal(out.created, 1);
    const [m] = await list('/archive/conversations/claude');
    assert.equal(m.name, 'Naming_the_billing_service-5d1c4c8e-0000-4000-8000-00000000c1a0');
    assert.equal(m.content, '# Naming the billing service\n\n**User:** Suggest names for a billing service.\n\n**Assistant:** Ledger, Tally or Abacus.');
    assert.equal(m.temporal.start, '2025-02-03T10:00:00.000Z');
  });

  it('claude-code: session transcripts under ~/.claude/projects, tool traffic left out, a torn last line tolerated', async () => {
    const projects = join(dir, 'claude', 'projects', '-home-dev-web-app');
    mkdirSync(projects, { recursive: true });
    writeFileSync(join(projects, '0a1b2c3d-aaaa-4bbb-8ccc-000000000001.jsonl'), claudeCodeSession);
    const out = await meJson(['import', join(dir, 'claude', 'projects'), '--from', 'claude-code'], { env: env() });
    assert.equal(out.created, 1);
    const [m] = await list('/conversations/claude_code/web_app');
    assert.equal(m.name, 'Fix_flaky_login_test-0a1b2c3d-aaaa-4bbb-8ccc-000000000001');
    assert.equal(m.content, '# Fix flaky login test\n\n**User:** The login test fails one run in ten. Why?\n\n**Assistant:** Let me look at the test.\n\n' +
      '**Assistant:** It waits on a timer instead of the redirect; wait for the URL.');
    assert.deepEqual([m.meta.source, m.meta.messages, m.meta.cwd], ['claude-code', 3, '/home/dev/web-app']);
    assert.equal(m.temporal.start, '2025-05-01T09:00:00.000Z');
  });

  it('a wrong source or file says what to do', async () => {
    const bad = await me(['import', join(dir, 'conversations.json'), '--from', 'slack'], { env: env() });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from takes claude-code, claude-export, chatgpt-export/);
    writeFileSync(join(dir, 'broken.json'), '{"not": ');
    const broken = await me(['import', join(dir, 'broken.json'), '--from', 'chatgpt-export'], { env: env() });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /not JSON .*conversations\.json/);
  });
});
