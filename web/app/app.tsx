import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { signOut } from '../lib/auth.js';
import { RpcError, userRpc, whenSignedOut } from '../lib/rpc.js';
import { interceptLinks, navigate, parseRoute, useLocation, type Route } from './router.js';
import { pickSpace, SessionContext, useSession, type Me, type Session, type Toast } from './session.js';
import { ErrorBanner, Link, Loading } from './ui.js';
import { TreeNav, TreePage } from './views/tree.js';
import { MemoryPage } from './views/memory.js';
import { EditPage } from './views/edit.js';
import { HistoryPage } from './views/history.js';
import { SearchPage } from './views/search.js';
import { TrashPage } from './views/trash.js';
import { ActivityPage } from './views/activity.js';
import { SettingsPage } from './views/settings.js';
import { InvitePage } from './views/invite.js';

/** Signed out: to /login, which comes back here afterwards. */
function toLogin() {
  location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

export function App() {
  const url = useLocation();
  const route = useMemo(() => parseRoute(url), [url.href]);
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [revision, setRevision] = useState(0);
  const [toast, setToast] = useState<Toast | null>(null);

  const loadMe = () => userRpc('whoami', {}).then(setMe, (e) => (e instanceof RpcError && e.status === 401 ? toLogin() : setError(e)));
  useEffect(() => {
    whenSignedOut(toLogin);
    void loadMe();
    addEventListener('click', interceptLinks);
    const keys = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === '/' && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && !t.isContentEditable) {
        e.preventDefault();
        document.querySelector<HTMLInputElement>('[role="searchbox"]')?.focus();
      }
    };
    addEventListener('keydown', keys);
    return () => { removeEventListener('click', interceptLinks); removeEventListener('keydown', keys); };
  }, []);

  const space = me ? pickSpace(me, url.searchParams.get('space')) : null;
  useEffect(() => {
    if (!space) return;
    localStorage.setItem('me.space', space.slug);
    if (url.searchParams.get('space') !== space.slug) {
      const next = new URL(url.href);
      next.searchParams.set('space', space.slug);
      navigate(next.pathname + next.search, { replace: true });
    }
  }, [space?.slug, url.href]);
  useEffect(() => { document.title = `${titleOf(route)} · Memory Engine`; }, [route]);

  if (error) return <main class="center"><ErrorBanner error={error} /></main>;
  if (!me) return <main class="center"><Loading /></main>;
  if (route.view === 'invite') return <InvitePage token={route.token} me={me} onJoined={loadMe} />;
  if (!space) return <main class="center"><p>You belong to no space yet. Ask for an invitation, or create one with <code>me space create</code>.</p></main>;

  const session: Session = {
    me, space, revision,
    changed: () => setRevision((r) => r + 1),
    toast: setToast,
  };
  return (
    <SessionContext.Provider value={session}>
      <Header route={route} />
      <div class="layout">
        <nav class="sidebar" aria-label="Tree">
          <TreeNav current={route.view === 'tree' ? route.tree : null} />
        </nav>
        <main class="content" key={space.slug}>
          <View route={route} />
        </main>
      </div>
      {toast && <ToastBar toast={toast} onDone={() => setToast(null)} />}
    </SessionContext.Provider>
  );
}

function titleOf(r: Route): string {
  switch (r.view) {
    case 'tree': return r.tree;
    case 'memory': return r.mode === 'view' ? 'Memory' : r.mode === 'edit' ? 'Edit' : 'History';
    case 'new': return 'New memory';
    case 'search': return `Search ${r.params.get('q') ?? ''}`.trim();
    case 'trash': return 'Trash';
    case 'activity': return 'Activity';
    case 'settings': return 'Settings';
    case 'invite': return 'Invitation';
    default: return 'Not found';
  }
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'tree': return <TreePage tree={route.tree} />;
    case 'memory':
      return route.mode === 'edit' ? <EditPage id={route.id} /> : route.mode === 'history' ? <HistoryPage id={route.id} /> : <MemoryPage id={route.id} />;
    case 'new': return <EditPage tree={route.tree} />;
    case 'search': return <SearchPage params={route.params} />;
    case 'trash': return <TrashPage tree={route.tree} />;
    case 'activity': return <ActivityPage tree={route.tree} />;
    case 'settings': return <SettingsPage tab={route.tab} />;
    default: return <p>Nothing here. <Link href="/">Back to your memories</Link>.</p>;
  }
}

function Header({ route }: { route: Route }) {
  const { me, space } = useSession();
  const q = route.view === 'search' ? route.params.get('q') ?? '' : '';
  const input = useRef<HTMLInputElement>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const params = new URLSearchParams(route.view === 'search' ? route.params : undefined);
    params.set('q', input.current!.value);
    params.delete('cursor');
    navigate(`/search?${params}`);
  };
  const switchSpace = (slug: string) => {
    localStorage.setItem('me.space', slug);
    navigate(`/?space=${encodeURIComponent(slug)}`);
  };
  return (
    <header class="top">
      <Link href="/" class="brand">Memory Engine</Link>
      <label class="space-switch">
        <span class="visually-hidden">Space</span>
        <select aria-label="Space" data-testid="space-switcher" value={space.slug} onChange={(e) => switchSpace((e.target as HTMLSelectElement).value)}>
          {me.spaces.map((s) => <option key={s.slug} value={s.slug}>{s.name}{s.personal ? ' (personal)' : ''}</option>)}
        </select>
      </label>
      <form role="search" class="search" onSubmit={submit}>
        <input ref={input} type="search" role="searchbox" aria-label="Search memories" placeholder="Search  ( / )" name="q" value={q} key={q} data-testid="search-input" />
      </form>
      <nav class="top-nav" aria-label="Main">
        <Link href="/activity">Activity</Link>
        <Link href="/trash">Trash</Link>
        <Link href="/settings">Settings</Link>
        <span class="who" title={me.email ?? undefined}>{me.name}</span>
        <button type="button" class="link" onClick={() => signOut().then(() => location.assign('/login'))}>Sign out</button>
      </nav>
    </header>
  );
}

function ToastBar({ toast, onDone }: { toast: Toast; onDone: () => void }) {
  useEffect(() => {
    const t = setTimeout(onDone, 15000);
    return () => clearTimeout(t);
  }, [toast]);
  return (
    <div class="toast" role="status" aria-live="polite" data-testid="toast">
      <span>{toast.text}</span>
      {toast.action && <button type="button" data-testid="toast-action" onClick={async () => { await toast.action!.run(); onDone(); }}>{toast.action.label}</button>}
      <button type="button" class="link" aria-label="Dismiss" onClick={onDone}>×</button>
    </div>
  );
}
