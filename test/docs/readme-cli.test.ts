import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { packageRoot } from '../../db/package-root.js';
import { me } from '../cli/support.js';

// README's CLI section is what `me --help` says: the command list is the same text, and every
// command the examples use is one of them.
describe('README: the me CLI section', () => {
  it('lists exactly the commands `me --help` lists, and its examples use only those', async () => {
    const readme = readFileSync(`${packageRoot}/README.md`, 'utf8');
    const help = (await me(['--help'])).stdout;
    const listed = /^General\n[\s\S]*?(?=\nRun `me <command> --help`)/m.exec(help)![0].trimEnd();
    const block = /Every command \(this is the list `me --help` prints[^\n]*\n\n```text\n([\s\S]*?)\n```/.exec(readme);
    assert.ok(block, 'README has the command list');
    assert.equal(block![1], listed, 'README\'s command list differs from `me --help`: copy the list `me --help` prints into README.md');

    const paths = new Set([...listed.matchAll(/^ {2}me ([a-z-]+(?: [a-z-]+)*)/gm)].map((m) => m[1]!));
    const examples = /## The `me` CLI[\s\S]*?```sh\n([\s\S]*?)\n```/.exec(readme)![1]!;
    for (const line of examples.split('\n')) {
      for (const cmd of line.split(/\s{2,}|#.*$/).map((c) => c.trim()).filter((c) => /^(source <\()?me /.test(c))) {
        const words = cmd.replace(/^source <\(/, '').split(' ').slice(1);
        const found = [2, 1].some((n) => paths.has(words.slice(0, n).join(' ')));
        assert.ok(found, `README example "${cmd}" uses a command \`me --help\` does not list`);
      }
    }
  });
});
