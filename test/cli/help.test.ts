import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { me, sandbox } from './support.js';

// Every command documents itself: `me <command> --help` shows a description and at least one example.
describe('me --help', () => {
  it('lists every command, and each one has help with an example', async () => {
    const box = sandbox();
    try {
      const top = await me(['--help'], { env: box.env });
      assert.equal(top.code, 0);
      assert.match(top.stdout, /Options of every command/);
      const paths = [...top.stdout.matchAll(/^\s{2}me ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)/gm)].map((m) => m[1]!);
      for (const required of ['login', 'logout', 'whoami', 'status', 'version', 'serve', 'space list', 'space use', 'memory create', 'memory get',
        'memory search', 'memory tree', 'memory mv', 'memory cp', 'memory rm', 'memory history', 'memory revert', 'memory edit',
        'import', 'export', 'apikey create', 'grant set', 'invite create', 'invite accept']) {
        assert.ok(paths.includes(required), `me --help lists "${required}"`);
      }
      // Short aliases are not in the overview (each command shows its main path) but answer --help too.
      const aliases = ['search', 'tree', 'get', 'rm', 'mv', 'cp', 'count', 'history', 'revert', 'edit', 'remember'];
      for (const path of new Set([...paths, ...aliases])) {
        const r = await me([...path.split(' '), '--help'], { env: box.env });
        assert.equal(r.code, 0, `me ${path} --help: ${r.stderr}`);
        assert.match(r.stdout, /\nExamples?\n/, `me ${path} --help has an example`);
        assert.match(r.stdout, /\$ me /, `me ${path} --help shows a command line`);
      }
    } finally {
      box.cleanup();
    }
  });
});
