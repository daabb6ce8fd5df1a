import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { packageRoot } from '../../db/package-root.js';
import { databaseIndependent } from '../support/suites.js';

// The package as people get it: `npm pack` (which builds from source through `prepare`), a global
// install of the tarball into a temporary prefix (dependencies from the npm registry), and then
// only that installation: `me --version`, `me serve` (web pages and migrations in the package), a
// memory round trip and `me mcp`. Packaging does not depend on the database, so it runs once, in the
// embedded suite.
const work = mkdtempSync(join(tmpdir(), 'me-package-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The environment without the npm_* variables of the `npm test` running us (they would steer the inner npm). */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k) && !/^ME_/.test(k)) env[k] = v;
  return { ...env, HOME: join(work, 'home'), XDG_CONFIG_HOME: join(work, 'home', 'config'), XDG_CACHE_HOME: join(work, 'home', 'cache'), npm_config_cache: join(process.env.HOME ?? work, '.npm'), ...extra };
}

function npm(args: string[], cwd: string) {
  const r = spawnSync('npm', args, { cwd, env: cleanEnv(), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `npm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the package, installed from its tarball', { skip: databaseIndependent }, () => {
  it('packs, installs globally into a temporary prefix and works from there', async (t) => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], packageRoot)) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
    t.diagnostic(`tarball ${packed!.filename}: ${(packed!.size / 1024).toFixed(0)} kB (${(packed!.unpackedSize / 1024).toFixed(0)} kB unpacked, ${packed!.files.length} files)`);
    const paths = packed!.files.map((f) => f.path);
    for (const needed of ['dist/cli/main.js', 'dist/server/main.js', 'dist/web/pages/login/index.html', 'dist/web/pages/device/index.html', 'db/migrations/incremental/0001_core.sql', 'patches/postgres+3.4.9.patch']) {
      assert.ok(paths.includes(needed), `the package holds ${needed}`);
    }
    assert.ok(!paths.some((p) => p.startsWith('test/') || p.startsWith('dist/scripts/')), 'no tests or dev scripts');

    const prefix = join(work, 'prefix');
    npm(['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(work, packed!.filename)], work);
    const me = join(prefix, 'bin', 'me');
    const env = cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH}` });
    const version = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version as string;
    assert.equal(spawnSync(me, ['--version'], { env, encoding: 'utf8' }).stdout.trim(), version);

    const server = spawn(me, ['serve', '--port', '0', '--data-dir', join(work, 'data')], { env: { ...env, ME_LOG_LEVEL: 'info' }, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => server.on('close', (c) => r(c)));
    try {
      let stderr = '';
      const { url, key } = await new Promise<{ url: string; key: string }>((resolve, reject) => {
        server.stderr.on('data', (d) => {
          stderr += d;
          const url = /"msg":"listening","url":"([^"]+)"/.exec(stderr)?.[1];
          const key = /^\s+(me\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/m.exec(stderr)?.[1];
          if (url && key) resolve({ url, key });
        });
        exited.then((c) => reject(new Error(`the installed me serve exited (${c}): ${stderr}`)));
      });
      assert.match(stderr, /"migrations":[1-9]/, 'the migrations shipped in the package ran');
      for (const page of ['/login', '/device']) {
        const res = await fetch(url + page);
        assert.equal(res.status, 200, page);
        const html = await res.text();
        const script = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
        assert.ok(script, `${page} loads its script`);
        assert.equal((await fetch(url + script)).status, 200, `${page}'s script is in the package`);
      }

      const as = { ...env, ME_SERVER: url, ME_API_KEY: key };
      const run = (args: string[]) => {
        const r = spawnSync(me, args, { env: as, encoding: 'utf8' });
        assert.equal(r.status, 0, `me ${args.join(' ')}: ${r.stderr}`);
        return r.stdout;
      };
      const created = JSON.parse(run(['remember', 'installed from the tarball', '--tree', '/pkg', '--name', 'hello', '--json']));
      assert.equal(JSON.parse(run(['get', '/pkg/hello', '--json'])).id, created.id);
      assert.match(run(['search', 'tarball']), /\/pkg\/hello/);

      const mcp = new Client({ name: 'package-test', version: '1.0.0' });
      await mcp.connect(new StdioClientTransport({ command: me, args: ['mcp'], env: as, stderr: 'ignore' }));
      try {
        assert.equal(mcp.getServerVersion()?.version, version);
        const found = await mcp.callTool({ name: 'me_memory_get_by_path', arguments: { path: '/pkg/hello' } });
        assert.ok(!found.isError, JSON.stringify(found.content));
        assert.equal((found.structuredContent as { id: string }).id, created.id);
      } finally {
        await mcp.close();
      }
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  });
});
