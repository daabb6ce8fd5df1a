import { useEffect, useState } from 'preact/hooks';

// Every view has its own URL, so it can be reloaded and shared. The space travels in `?space=`.

export type Route =
  | { view: 'tree'; tree: string }
  | { view: 'memory'; id: string; mode: 'view' | 'edit' | 'history' }
  | { view: 'new'; tree: string }
  | { view: 'search'; params: URLSearchParams }
  | { view: 'trash'; tree: string }
  | { view: 'activity'; tree: string }
  | { view: 'settings'; tab: SettingsTab }
  | { view: 'invite'; token: string }
  | { view: 'notFound' };

export const settingsTabs = ['keys', 'connections', 'members', 'invitations'] as const;
export type SettingsTab = (typeof settingsTabs)[number];

const treeOf = (rest: string) => '/' + rest.split('/').filter(Boolean).map(decodeURIComponent).join('/');

export function parseRoute(url: URL): Route {
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;
  let m: RegExpMatchArray | null;
  if (p === '/') return { view: 'tree', tree: '/' };
  if ((m = p.match(/^\/tree(\/.*)?$/))) return { view: 'tree', tree: treeOf(m[1] ?? '') };
  if ((m = p.match(/^\/memory\/([0-9a-fA-F-]{36})(?:\/(edit|history))?$/))) return { view: 'memory', id: m[1]!, mode: (m[2] as 'edit' | 'history') ?? 'view' };
  if (p === '/new') return { view: 'new', tree: q.get('tree') ?? '/' };
  if (p === '/search') return { view: 'search', params: q };
  if (p === '/trash') return { view: 'trash', tree: q.get('tree') ?? '/' };
  if (p === '/activity') return { view: 'activity', tree: q.get('tree') ?? '/' };
  if (p === '/connections') return { view: 'settings', tab: 'connections' };
  if (p === '/settings') return { view: 'settings', tab: 'keys' };
  if ((m = p.match(/^\/settings\/(\w+)$/)) && (settingsTabs as readonly string[]).includes(m[1]!)) return { view: 'settings', tab: m[1] as SettingsTab };
  if ((m = p.match(/^\/invite\/([\w.-]+)$/))) return { view: 'invite', token: m[1]! };
  return { view: 'notFound' };
}

/** The URL of a tree in the browser: `/a/b` → `/tree/a/b`, `/` → `/`. */
export const treeUrl = (tree: string) => (tree === '/' ? '/' : '/tree' + tree.split('/').map(encodeURIComponent).join('/'));

const listeners = new Set<() => void>();

/** Goes to a same-origin URL without reloading (keeps the current space unless the URL names one). */
export function navigate(to: string, opts: { replace?: boolean } = {}) {
  const url = new URL(to, location.href);
  const space = new URL(location.href).searchParams.get('space');
  if (space && !url.searchParams.has('space')) url.searchParams.set('space', space);
  history[opts.replace ? 'replaceState' : 'pushState'](null, '', url.pathname + url.search);
  listeners.forEach((l) => l());
}

/** `to` with the current space, for an <a href>. */
export function withSpace(to: string): string {
  const url = new URL(to, location.href);
  const space = new URL(location.href).searchParams.get('space');
  if (space && !url.searchParams.has('space')) url.searchParams.set('space', space);
  return url.pathname + url.search;
}

export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href));
  useEffect(() => {
    const update = () => setUrl(new URL(location.href));
    listeners.add(update);
    addEventListener('popstate', update);
    return () => { listeners.delete(update); removeEventListener('popstate', update); };
  }, []);
  return url;
}

/** Plain left clicks on same-origin links navigate in place; modified clicks open tabs as usual. */
export function interceptLinks(e: MouseEvent) {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element).closest?.('a');
  if (!a || a.target || a.hasAttribute('download') || a.dataset.reload !== undefined) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname === '/login') return;
  e.preventDefault();
  navigate(url.pathname + url.search);
}
