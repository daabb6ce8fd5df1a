import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Every folder in web/pages/ with an index.html is a page, served by the server at /<folder>
// (server/http/web.ts). Adding a page (e.g. /consent) = adding web/pages/consent/{index.html,main.tsx}.
const root = dirname(fileURLToPath(import.meta.url));
const pagesDir = join(root, 'pages');
const input = Object.fromEntries(
  readdirSync(pagesDir)
    .filter((name) => existsSync(join(pagesDir, name, 'index.html')))
    .map((name) => [name, join(pagesDir, name, 'index.html')]),
);

export default defineConfig({
  root,
  base: '/',
  plugins: [preact()],
  logLevel: 'warn',
  build: {
    outDir: resolve(root, '../dist/web'),
    emptyOutDir: true,
    rollupOptions: { input },
  },
});
