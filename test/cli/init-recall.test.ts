import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parse as parseJsonc } from 'jsonc-parser';
import { PLAYBOOK_SHORT } from '../../mcp/playbook.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { recallText } from '../../cli/commands/recall.js';
import { me, meJson, sandbox } from './support.js';

// `me init` binds a project to a space and tree; `me mcp` then files and searches there; `me recall`
// prints what the SessionStart hook gives a new session. All through the real `me` binary.

let s: TestServer;
let box: ReturnType<typeof sandbox>;
let dir: string;

before(async () => {
  s = await startTestServer();
  box = sandbox();
  dir = join(mkdtempSync(join(tmpdir(), 'me-init-')), 'billing-api');
  mkdirSync(join(dir, '.git'), { recursive: true });
  mkdirSync(join(dir, 'src'));
});
after(async () => {
  await s?.close();
  box?.cleanup();
});

const env = () => ({ ...box.env, ME_SERVER: s.url, ME_API_KEY: s.key });
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

describe('me init', () => {
  it('--dry-run shows the diff and writes nothing', async () => {
    const r = await me(['init', '--dry-run', '--hooks'], { env: env(), cwd: join(dir, 'src') });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+\+\+ .*\.mcp\.json/);
    assert.match(r.stdout, /Would change 4 files/);
    assert.ok(!existsSync(join(dir, '.mcp.json')) && !existsSync(join(dir, 'AGENTS.md')));
  });

  it('binds the project root: MCP configs, AGENTS.md/CLAUDE.md sections, a SessionStart hook beside the others', async () => {
    writeFileSync(join(dir, 'CLAUDE.md'), '# Billing API\n\nRun `make test` before pushing.\n');
    mkdirSync(join(dir, '.claude'));
    const otherHooks = {
      SessionStart: [{ matcher: 'startup', hooks: [{ type: 'command', command: 'echo hello' }] }],
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './check.sh' }] }],
    };
    writeFileSync(join(dir, '.claude', 'settings.json'), JSON.stringify({ permissions: { allow: ['Bash(make:*)'] }, hooks: otherHooks }, null, 2));
    const out = await meJson(['init', '--client', 'claude-code,vscode', '--space', 'default', '--hooks', '--max-tokens', '300'], { env: env(), cwd: join(dir, 'src') });
    assert.equal(out.tree, '/projects/billing_api');
    assert.equal(out.changed.length, 5);

    const mcp = JSON.parse(read('.mcp.json')).mcpServers['memory-engine'];
    assert.deepEqual(mcp.args.slice(1), ['mcp', '--server', s.url, '--space', 'default', '--tree', '/projects/billing_api']);
    assert.deepEqual((parseJsonc(read('.vscode/mcp.json')) as any).servers['memory-engine'].args, mcp.args);
    const claude = read('CLAUDE.md');
    assert.ok(claude.startsWith('# Billing API\n\nRun `make test` before pushing.\n'), 'the person\'s own text is kept');
    assert.ok(claude.includes(PLAYBOOK_SHORT) && claude.includes('under `/projects/billing_api` in space `default`'));
    assert.ok(read('AGENTS.md').includes(PLAYBOOK_SHORT));
    const settings = JSON.parse(read('.claude/settings.json'));
    assert.deepEqual(settings.permissions, { allow: ['Bash(make:*)'] });
    assert.deepEqual(settings.hooks.PreToolUse, otherHooks.PreToolUse);
    assert.deepEqual(settings.hooks.SessionStart[0], otherHooks.SessionStart[0], 'the other SessionStart hook stays');
    assert.match(settings.hooks.SessionStart[1].hooks[0].command, / recall --server \S+ --space default --tree \/projects\/billing_api --max-tokens 300 # memory-engine$/);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = ['.mcp.json', '.vscode/mcp.json', 'AGENTS.md', 'CLAUDE.md', '.claude/settings.json'].map(read);
    const r = await me(['init', '--client', 'claude-code,vscode', '--space', 'default', '--hooks', '--max-tokens', '300'], { env: env(), cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /already bound to \/projects\/billing_api in space "default"; nothing to change/);
    assert.deepEqual(['.mcp.json', '.vscode/mcp.json', 'AGENTS.md', 'CLAUDE.md', '.claude/settings.json'].map(read), before);
    assert.equal(JSON.parse(read('.claude/settings.json')).hooks.SessionStart.length, 2, 'no second recall hook');
  });

  it('me mcp started from .mcp.json files under the project tree and searches there unless asked wider', async () => {
    await s.call('memory.create', { tree: '/elsewhere', content: 'Invoices are rounded elsewhere too' });
    const { command, args } = JSON.parse(read('.mcp.json')).mcpServers['memory-engine'];
    const client = new Client({ name: 'init-test', version: '1' });
    await client.connect(new StdioClientTransport({ command, args, env: { ...env(), PATH: process.env.PATH! }, stderr: 'ignore' }));
    try {
      assert.match(client.getInstructions()!, /This project's memories live under \/projects\/billing_api in space "default"/);
      const made = await client.callTool({ name: 'me_memory_create', arguments: { name: 'rounding', content: 'Invoices are rounded half-even to the cent (decided 2025-04).' } }) as any;
      assert.equal(made.structuredContent.path, '/projects/billing_api/rounding');
      const here = await client.callTool({ name: 'me_memory_search', arguments: { query: 'invoices rounded' } }) as any;
      assert.deepEqual(here.structuredContent.results.map((r: any) => r.path), ['/projects/billing_api/rounding']);
      const wide = await client.callTool({ name: 'me_memory_search', arguments: { query: 'invoices rounded', tree: '/' } }) as any;
      assert.equal(wide.structuredContent.results.length, 2);
    } finally {
      await client.close();
    }
  });
});

describe('me recall', () => {
  it('the SessionStart hook prints the project\'s newest memories within its token budget', async () => {
    for (let i = 0; i < 30; i++) {
      await s.call('memory.create', { tree: '/projects/billing_api/notes', content: `Note ${i}: the ledger service retries webhooks ${i} times. `.repeat(8) });
    }
    const hook = JSON.parse(read('.claude/settings.json')).hooks.SessionStart[1].hooks[0].command as string;
    // Asynchronously: the server answering it runs in this process.
    const { stdout: out } = await promisify(execFile)('/bin/sh', ['-c', hook], { env: { ...process.env, ...env() }, cwd: dir, encoding: 'utf8' });
    assert.match(out, /^# Memory Engine: recent memories under \/projects\/billing_api\n/);
    assert.match(out, /Note 29:/, 'the newest first');
    assert.ok(!out.includes('Note 0:'), 'the oldest do not fit');
    assert.ok(out.length <= 300 * 4, `within the budget: ${out.length} characters for 300 tokens`);
    assert.match(out, /more under \/projects\/billing_api/);
  });

  it('never exceeds the budget, whatever the budget and the memories', () => {
    const results = Array.from({ length: 40 }, (_, i) => ({ path: `/p/m${i}`, id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', name: null, content: `word${i} `.repeat(50 + i * 37), updatedAt: '2025-01-01T00:00:00Z' }));
    for (const budget of [50, 51, 77, 120, 300, 999, 2000, 5000]) {
      const out = recallText('/projects/some_long_project_name', results, budget);
      assert.ok(out.length <= budget * 4, `${out.length} characters for ${budget} tokens`);
    }
  });

  it('defaults to the directory\'s tree, finds by --query, and prints nothing where there is nothing', async () => {
    const found = await me(['recall', '--query', 'half-even'], { env: env(), cwd: join(dir, 'src') });
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, /## \/projects\/billing_api\/rounding/);
    const empty = mkdtempSync(join(tmpdir(), 'me-recall-'));
    try {
      const none = await me(['recall'], { env: env(), cwd: empty });
      assert.deepEqual([none.code, none.stdout], [0, '']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    assert.equal((await me(['recall', '--max-tokens', '5'], { env: env(), cwd: dir })).code, 2);
  });
});
