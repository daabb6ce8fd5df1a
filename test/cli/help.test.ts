import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { me, sandbox } from './support.js';
import { databaseIndependent } from '../support/suites.js';

// Every command documents itself: `me <command> --help` shows a description and at least one example.
describe('me --help', { skip: databaseIndependent }, () => {
  it('lists every command, and each one has help with an example', async () => {
    const box = sandbox();
    try {
      const top = await me(['--help'], { env: box.env });
      assert.equal(top.code, 0);
      assert.match(top.stdout, /Options of every command/);
      const paths = [...top.stdout.matchAll(/^\s{2}me ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)*)/gm)].map((m) => m[1]!);
      for (const required of ['login', 'logout', 'whoami', 'status', 'version', 'serve', 'doctor', 'completion', 'space list', 'space use', 'remember', 'get',
        'search', 'tree', 'mv', 'cp', 'rm', 'history', 'revert', 'edit', 'memory update', 'import', 'export', 'apikey create', 'grant set', 'invite create', 'invite accept']) {
        assert.ok(paths.includes(required), `me --help lists "${required}"`);
      }
      // The long forms are aliases: not in the overview, but they answer --help too.
      const aliases = ['memory search', 'memory tree', 'memory get', 'memory rm', 'memory mv', 'memory cp', 'memory count', 'memory history', 'memory revert', 'memory edit', 'memory create'];
      for (const path of new Set([...paths, ...aliases])) {
        const r = await me([...path.split(' '), '--help'], { env: box.env });
        assert.equal(r.code, 0, `me ${path} --help: ${r.stderr}`);
        assert.match(r.stdout, /\nExamples?\n/, `me ${path} --help has an example`);
        assert.match(r.stdout, /\$ me /, `me ${path} --help shows a command line`);
        assert.doesNotMatch(r.stdout, /#0/, `me ${path} --help has real placeholders`);
      }
    } finally {
      box.cleanup();
    }
  });
});
