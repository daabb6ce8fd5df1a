// Compiles dist/ (tsc) when it is missing or older than its sources: the CLI tests and the bench
// run the compiled code, as `npm start` and the installed `me` do.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../db/package-root.js';

const SOURCES = ['cli', 'server', 'db', 'mcp', 'contracts'];

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : /\.tsx?$/.test(e.name) ? statSync(p).mtimeMs : 0);
  }
  return t;
}

let checked = false;
/** Builds dist/ once per process when `dist/cli/main.js` is missing or older than any source file. */
export function buildIfStale() {
  if (checked) return;
  const bin = join(packageRoot, 'dist/cli/main.js');
  const built = statSync(bin, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (!built || Math.max(...SOURCES.map((d) => newest(join(packageRoot, d)))) > built) {
    const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: packageRoot, encoding: 'utf8' });
    if (r.status !== 0 && !statSync(bin, { throwIfNoEntry: false })) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
  }
  checked = true;
}
