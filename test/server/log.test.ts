import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { packageRoot } from '../../db/package-root.js';
import { databaseIndependent } from '../support/suites.js';

// The logger writes stderr once per turn of the event loop (a write(2) per request line cost
// 11-18 % of memory.get's throughput). Nothing logged may be lost for it, even right before exit.
const logger = pathToFileURL(join(packageRoot, 'server', 'util', 'log.ts')).href;

function run(script: string) {
  const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { createLogger } from ${JSON.stringify(logger)};\n${script}`], {
    cwd: packageRoot, encoding: 'utf8',
  });
  return { status: out.status, lines: out.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string; n?: number }) };
}

describe('log', { skip: databaseIndependent }, () => {
  it('writes every line in order, including those logged in the same turn as process.exit', () => {
    const { status, lines } = run(`
      const log = createLogger();
      for (let n = 0; n < 200; n++) log.info('line', { n });
      setImmediate(() => { log.warn('later'); log.error('last words'); process.exit(3); });`);
    assert.equal(status, 3);
    assert.deepEqual(lines.slice(0, 200).map((l) => l.n), Array.from({ length: 200 }, (_, n) => n));
    assert.deepEqual(lines.slice(200).map((l) => `${l.level} ${l.msg}`), ['warn later', 'error last words']);
  });

  it('writes what was logged before an uncaught exception ends the process', () => {
    const { status, lines } = run(`
      const log = createLogger();
      log.error('about to fail');
      throw new Error('boom');`);
    assert.equal(status, 1);
    assert.deepEqual(lines.map((l) => l.msg), ['about to fail']);
  });

  it('writes nothing below its level', () => {
    const { lines } = run(`
      const log = createLogger({ level: 'warn' });
      log.info('hidden'); log.warn('shown');`);
    assert.deepEqual(lines.map((l) => l.msg), ['shown']);
  });
});
