import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { Context, Hono } from 'hono';
import { packageRoot } from '../../db/package-root.js';

/** Where `vite build` (web/vite.config.ts) puts the pages: dist/web/pages/<name>/index.html + assets. */
export const webDist = join(packageRoot, 'dist', 'web');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json',
};

// Pages must not be framed (clickjacking) and run only our own script files: no inline script, no
// eval, no plugins. Memory content shown by the app is untrusted; this is the second wall behind
// its rendering (web/app/markdown.tsx), which never turns content into HTML.
const pageHeaders = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'self'; script-src 'self'; object-src 'none'; connect-src 'self'; img-src 'self' data:; " +
    "style-src 'self' 'unsafe-inline'; frame-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
};

/** The memory browser (web/pages/app) answers every URL of its views, so each can be reloaded and shared. */
const appRoutes = ['/', '/tree', '/tree/*', '/memory/*', '/new', '/search', '/trash', '/activity', '/settings', '/settings/*', '/invite/*', '/connections'];

/**
 * Serves the built web pages: every folder web/pages/<name>/ is a page at /<name> (login, consent,
 * …), the app at its view URLs, and /assets/* their hashed, immutable scripts and styles. Adding a
 * page = adding a folder.
 */
export function mountWeb(app: Hono<any>) {
  const pagesDir = join(webDist, 'pages');
  const pages = existsSync(pagesDir) ? readdirSync(pagesDir).filter((p) => existsSync(join(pagesDir, p, 'index.html'))) : [];
  const serve = (page: string) => (c: Context) => {
    const file = join(pagesDir, page, 'index.html');
    if (!existsSync(file)) return c.text('The web pages are not built: run `npm run build`.', 503);
    return c.body(readFileSync(file), 200, pageHeaders);
  };
  for (const page of new Set([...pages, 'login'])) if (page !== 'app') app.get(`/${page}`, serve(page));
  for (const route of appRoutes) app.get(route, serve('app'));
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
