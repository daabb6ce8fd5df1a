import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseJsonc, type ParseError } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { BIN, me, meJson, sandbox } from './support.js';
import { databaseIndependent } from '../support/suites.js';

// `me mcp install|uninstall <client>` for every client that keeps a config file, each read back with
// a real parser for its format (TOML for Codex; JSON with comments where the client allows them).

let box: ReturnType<typeof sandbox>;
const SERVER = 'http://127.0.0.1:3999';

before(() => { box = sandbox(); });
after(() => box?.cleanup());

const jsonc = (text: string) => {
  const errors: ParseError[] = [];
  const doc = parseJsonc(text, errors, { allowTrailingComma: true });
  assert.deepEqual(errors, [], `parses as JSON with comments:\n${text}`);
  return doc;
};
const strictJson = (text: string) => JSON.parse(text);

interface Case {
  client: string;
  file: () => string;
  /** An existing config with someone else's entries (and comments where the format has them). */
  existing: string;
  parse: (text: string) => any;
  ours: (doc: any) => any;
  others: (doc: any) => any;
  expectedOthers: unknown;
  /** Text that must survive our edits byte for byte (a comment). */
  keep?: string;
  expectedEntry: (args: string[]) => unknown;
}

const launchArgs = [BIN, 'mcp', '--server', SERVER, '--space', 'team'];

const cases: Case[] = [
  {
    client: 'codex',
    file: () => join(box.home, '.codex', 'config.toml'),
    existing: '# my codex settings\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "npx"\nargs = ["-y", "other-server"]\n\n[mcp_servers.other.env]\nTOKEN_FILE = "/x"\n\n[history]\npersistence = "none"\n',
    parse: (t) => JSON.parse(JSON.stringify(parseToml(t))), // plain objects (smol-toml's have no prototype)
    ours: (d) => d.mcp_servers['memory-engine'],
    others: (d) => ({ model: d.model, other: d.mcp_servers.other, history: d.history }),
    expectedOthers: { model: 'o3', other: { command: 'npx', args: ['-y', 'other-server'], env: { TOKEN_FILE: '/x' } }, history: { persistence: 'none' } },
    keep: '# my codex settings',
    expectedEntry: (args) => ({ command: process.execPath, args }),
  },
  {
    client: 'opencode',
    file: () => join(box.env.XDG_CONFIG_HOME!, 'opencode', 'opencode.jsonc'),
    existing: '{\n  // my opencode settings\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "dark",\n  "mcp": {\n    "other": { "type": "remote", "url": "https://x.example", "enabled": true },\n  },\n}\n',
    parse: jsonc,
    ours: (d) => d.mcp['memory-engine'],
    others: (d) => ({ theme: d.theme, other: d.mcp.other }),
    expectedOthers: { theme: 'dark', other: { type: 'remote', url: 'https://x.example', enabled: true } },
    keep: '// my opencode settings',
    expectedEntry: (args) => ({ type: 'local', command: [process.execPath, ...args], enabled: true }),
  },
  {
    client: 'vscode',
    file: () => join(box.env.XDG_CONFIG_HOME!, 'Code', 'User', 'mcp.json'),
    existing: '{\n\t// servers I use everywhere\n\t"servers": {\n\t\t"github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/" },\n\t},\n\t"inputs": [],\n}\n',
    parse: jsonc,
    ours: (d) => d.servers['memory-engine'],
    others: (d) => ({ github: d.servers.github, inputs: d.inputs }),
    expectedOthers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' }, inputs: [] },
    keep: '// servers I use everywhere',
    expectedEntry: (args) => ({ type: 'stdio', command: process.execPath, args }),
  },
  {
    client: 'windsurf',
    file: () => join(box.home, '.codeium', 'windsurf', 'mcp_config.json'),
    existing: JSON.stringify({ mcpServers: { other: { command: 'x', args: [] } } }, null, 2),
    parse: strictJson,
    ours: (d) => d.mcpServers['memory-engine'],
    others: (d) => d.mcpServers.other,
    expectedOthers: { command: 'x', args: [] },
    expectedEntry: (args) => ({ command: process.execPath, args }),
  },
  {
    client: 'gemini-cli',
    file: () => join(box.home, '.gemini', 'settings.json'),
    existing: '{\n  // gemini settings\n  "theme": "GitHub",\n  "mcpServers": { "other": { "httpUrl": "https://y.example/mcp" } }\n}\n',
    parse: jsonc,
    ours: (d) => d.mcpServers['memory-engine'],
    others: (d) => ({ theme: d.theme, other: d.mcpServers.other }),
    expectedOthers: { theme: 'GitHub', other: { httpUrl: 'https://y.example/mcp' } },
    keep: '// gemini settings',
    expectedEntry: (args) => ({ command: process.execPath, args }),
  },
];

describe('me mcp install / uninstall for each client', { skip: databaseIndependent }, () => {
  for (const c of cases) {
    it(`${c.client}: merges into its own format, idempotent, --dry-run, uninstall keeps the rest`, async () => {
      const file = c.file();
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, c.existing);
      const flags = ['--server', SERVER, '--space', 'team'];

      const dry = await me(['mcp', 'install', c.client, '--dry-run', ...flags], { env: box.env });
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^\+.*memory-engine/m, 'the dry run shows the added entry as a diff');
      assert.equal(readFileSync(file, 'utf8'), c.existing, '--dry-run writes nothing');

      const out = await meJson(['mcp', 'install', c.client, ...flags], { env: box.env });
      assert.equal(out.file, file);
      const written = readFileSync(file, 'utf8');
      const doc = c.parse(written);
      assert.deepEqual(c.ours(doc), c.expectedEntry(launchArgs));
      assert.deepEqual(c.others(doc), c.expectedOthers, 'other entries are untouched');
      if (c.keep) assert.ok(written.includes(c.keep), 'comments are kept');
      assert.ok(!written.includes('me.'), 'no secret in the client config');

      const again = await me(['mcp', 'install', c.client, ...flags], { env: box.env });
      assert.match(again.stdout, /already has this entry/);
      assert.equal(readFileSync(file, 'utf8'), written, 'installing twice changes nothing');

      // A new server URL replaces our entry in place.
      await me(['mcp', 'install', c.client, '--server', 'http://127.0.0.1:4000'], { env: box.env });
      assert.deepEqual(c.ours(c.parse(readFileSync(file, 'utf8'))), c.expectedEntry([BIN, 'mcp', '--server', 'http://127.0.0.1:4000']));

      const removed = await me(['mcp', 'uninstall', c.client], { env: box.env });
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(removed.stdout, /Removed "memory-engine"/);
      const left = c.parse(readFileSync(file, 'utf8'));
      assert.equal(c.ours(left), undefined);
      assert.deepEqual(c.others(left), c.expectedOthers);
      if (c.keep) assert.ok(readFileSync(file, 'utf8').includes(c.keep));
      assert.match((await me(['mcp', 'uninstall', c.client], { env: box.env })).stdout, /nothing to do/);
    });
  }

  it('creates a missing config file, and refuses a broken one without touching it', async () => {
    const file = join(box.home, '.codeium', 'windsurf', 'mcp_config.json');
    writeFileSync(file, '{ "mcpServers": { ');
    const r = await me(['mcp', 'install', 'windsurf', '--server', SERVER], { env: box.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not valid JSON/);
    assert.equal(readFileSync(file, 'utf8'), '{ "mcpServers": { ');
    const fresh = sandbox();
    try {
      const out = await meJson(['mcp', 'install', 'codex', '--server', SERVER], { env: fresh.env });
      assert.deepEqual((parseToml(readFileSync(out.file, 'utf8')) as any).mcp_servers['memory-engine'].args, [BIN, 'mcp', '--server', SERVER]);
    } finally {
      fresh.cleanup();
    }
  });
});
