import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { Hono } from 'hono';
import { packageRoot } from '../../db/package-root.js';

/** Where `vite build` (web/vite.config.ts) puts the pages: dist/web/pages/<name>/index.html + assets. */
export const webDist = join(packageRoot, 'dist', 'web');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

// Pages must not be framed (clickjacking) and load only our own scripts.
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the built web pages: every folder web/pages/<name>/ is a page at /<name> (login, consent,
 * …), and /assets/* their hashed, immutable scripts and styles. Adding a page = adding a folder.
 */
export function mountWeb(app: Hono<any>) {
  const pagesDir = join(webDist, 'pages');
  const pages = existsSync(pagesDir) ? readdirSync(pagesDir).filter((p) => existsSync(join(pagesDir, p, 'index.html'))) : [];
  for (const page of new Set([...pages, 'login'])) {
    app.get(`/${page}`, (c) => {
      const file = join(pagesDir, page, 'index.html');
      if (!existsSync(file)) return c.text('The web pages are not built: run `npm run build`.', 503);
      return c.body(readFileSync(file), 200, pageHeaders);
    });
  }
  app.get('/assets/*', (c) => {
    const rel = normalize(c.req.path).replace(/^\/+/, '');
    if (!rel.startsWith('assets/') || rel.includes('..')) return c.notFound();
    const file = join(webDist, rel);
    if (!existsSync(file)) return c.notFound();
    return c.body(readFileSync(file), 200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
}
