import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../db/package-root.js';

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Builds the web pages (vite) when dist/web is missing or older than web/: tests serve the real build. */
export function ensureWebBuild() {
  const marker = join(packageRoot, 'dist', 'web', 'pages');
  if (existsSync(marker) && newest(marker) >= newest(join(packageRoot, 'web'))) return;
  execFileSync(process.execPath, [join(packageRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts'], {
    cwd: packageRoot, stdio: ['ignore', 'ignore', 'inherit'],
  });
}
