import { useEffect, useRef, useState } from 'preact/hooks';
import { navigate, treeUrl } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { Action, arrowNav, Dialog, ErrorBanner, Link, Loading, useLoad } from '../ui.js';
import { MemoryList } from './list.js';

type Child = { path: string; count: number };
const label = (path: string) => (path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1));
const parentOf = (path: string) => (path.lastIndexOf('/') <= 0 ? '/' : path.slice(0, path.lastIndexOf('/')));

/**
 * The tree in the sidebar: a WAI-ARIA tree whose children load when a node opens (memory.tree one
 * level at a time, with counts), so a space of any size opens at once. Arrows move, Right/Left open
 * and close, Enter opens the node's page.
 */
export function TreeNav({ current }: { current: string | null }) {
  const rpc = useMemoryRpc();
  const { revision, space } = useSession();
  const [kids, setKids] = useState<Map<string, Child[]>>(new Map());
  const [rootCount, setRootCount] = useState<number | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set(['/']));
  const [focus, setFocus] = useState('/');
  const [error, setError] = useState<unknown>(null);
  const ref = useRef<HTMLUListElement>(null);

  const load = async (path: string) => {
    const r = await rpc('memory.tree', { tree: path });
    if (path === '/') setRootCount(r.count);
    setKids((m) => new Map(m).set(path, r.children));
  };
  // Open the ancestors of the current tree, so where you are is visible.
  useEffect(() => {
    if (!current) return;
    const chain = ['/'];
    for (const part of current.split('/').filter(Boolean)) chain.push(`${chain.length === 1 ? '' : chain.at(-1)}/${part}`);
    setOpen((o) => new Set([...o, ...chain.slice(0, -1)]));
    setFocus(current);
  }, [current]);
  useEffect(() => {
    Promise.all([...open].map(load)).catch(setError);
  }, [revision, space.slug, [...open].join('|')]);

  const toggle = (path: string, to?: boolean) => setOpen((o) => {
    const n = new Set(o);
    (to ?? !n.has(path)) ? n.add(path) : n.delete(path);
    return n;
  });

  const onKey = (e: KeyboardEvent) => {
    const item = (e.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    if (!item) return;
    const path = item.dataset.path!;
    const hasKids = item.getAttribute('aria-expanded') !== null;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      arrowNav(e, ref.current, '[role="treeitem"]');
      setFocus((document.activeElement as HTMLElement).dataset.path ?? path);
    } else if (e.key === 'ArrowRight' && hasKids) {
      e.preventDefault();
      if (!open.has(path)) toggle(path, true);
      else (item.querySelector('[role="group"] [role="treeitem"]') as HTMLElement | null)?.focus();
    } else if (e.key === 'ArrowLeft') {
      e.preventDefault();
      if (open.has(path) && path !== '/') toggle(path, false);
      else (ref.current?.querySelector(`[data-path="${CSS.escape(parentOf(path))}"]`) as HTMLElement | null)?.focus();
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      navigate(treeUrl(path));
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      const all = ref.current!.querySelectorAll<HTMLElement>('[role="treeitem"]');
      all[e.key === 'Home' ? 0 : all.length - 1]?.focus();
    }
  };

  const node = (path: string, count: number | null, level: number) => {
    const children = kids.get(path);
    const expandable = path === '/' || children === undefined || children.length > 0;
    const isOpen = open.has(path);
    return (
      <li key={path} role="treeitem" data-path={path} aria-level={level} aria-selected={current === path}
        aria-expanded={expandable ? isOpen : undefined} tabIndex={focus === path ? 0 : -1}
        onFocus={(e) => { if (e.target === e.currentTarget) setFocus(path); }}>
        <div class={`node${current === path ? ' current' : ''}`}>
          {expandable ? (
            <button type="button" class="twist" tabIndex={-1} aria-hidden="true" onClick={() => toggle(path)}>{isOpen ? '▾' : '▸'}</button>
          ) : <span class="twist" />}
          <a href={treeUrl(path)} tabIndex={-1} onClick={(e) => { e.preventDefault(); navigate(treeUrl(path)); }}>{label(path)}</a>
          {count !== null && <span class="count" aria-label={`${count} memories`}>{count}</span>}
        </div>
        {isOpen && children && children.length > 0 && (
          <ul role="group">{children.map((c) => node(c.path, c.count, level + 1))}</ul>
        )}
      </li>
    );
  };

  return (
    <>
      <ErrorBanner error={error} />
      <ul role="tree" aria-label="Memory tree" ref={ref} onKeyDown={onKey} data-testid="tree">
        {node('/', rootCount, 1)}
      </ul>
    </>
  );
}

function Breadcrumbs({ tree }: { tree: string }) {
  const parts = tree.split('/').filter(Boolean);
  return (
    <nav aria-label="Breadcrumb" class="crumbs">
      <Link href="/">/</Link>
      {parts.map((p, i) => {
        const path = '/' + parts.slice(0, i + 1).join('/');
        return <span key={path}>{i > 0 && ' / '}<Link href={treeUrl(path)}>{p}</Link></span>;
      })}
    </nav>
  );
}

/** A tree's page: its sub-trees with counts, the memories filed right here, and what to do with them. */
export function TreePage({ tree }: { tree: string }) {
  const rpc = useMemoryRpc();
  const { revision } = useSession();
  const here = useLoad(() => rpc('memory.tree', { tree }), [tree, revision]);
  const [deleting, setDeleting] = useState<number | null>(null);
  return (
    <section aria-labelledby="tree-title">
      <div class="page-head">
        <h1 id="tree-title"><Breadcrumbs tree={tree} /></h1>
        <div class="actions">
          <Link href={`/new?tree=${encodeURIComponent(tree)}`} class="button primary" data-testid="new-memory">New memory</Link>
          <Link href={`/activity?tree=${encodeURIComponent(tree)}`} class="button">Activity</Link>
          <Link href={`/trash?tree=${encodeURIComponent(tree)}`} class="button">Trash</Link>
          {here.data && here.data.count > 0 && (
            <Action testid="delete-tree" kind="danger" run={async () => setDeleting((await rpc('memory.deleteTree', { tree, dryRun: true, confirm: tree === '/' })).count)}>Delete tree…</Action>
          )}
        </div>
      </div>
      <ErrorBanner error={here.error} />
      {here.data ? (
        <>
          <p class="muted" data-testid="tree-count">{here.data.count} {here.data.count === 1 ? 'memory' : 'memories'} here and below</p>
          {here.data.children.length > 0 && (
            <ul class="folders" data-testid="subtrees">
              {here.data.children.map((c) => <li key={c.path}><Link href={treeUrl(c.path)}>{label(c.path)}/</Link> <span class="count">{c.count}</span></li>)}
            </ul>
          )}
        </>
      ) : !here.error && <Loading />}
      <h2>Filed at {tree}</h2>
      <MemoryList key={`${tree}:${revision}`} load={(cursor) => rpc('memory.search', { tree, exactTree: true, limit: 50, cursor, fields: ['updatedAt'] })} empty="No memories are filed directly here." />
      {deleting !== null && <DeleteTreeDialog tree={tree} count={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}

function DeleteTreeDialog({ tree, count, onClose }: { tree: string; count: number; onClose: () => void }) {
  const rpc = useMemoryRpc();
  const session = useSession();
  const run = async () => {
    const r = await rpc('memory.deleteTree', { tree, confirm: tree === '/' });
    onClose();
    session.changed();
    navigate(treeUrl(parentOf(tree)));
    session.toast({
      text: `Deleted ${r.count} ${r.count === 1 ? 'memory' : 'memories'} from ${tree}.`,
      action: { label: 'Undo', run: async () => { await restoreDeleted(rpc, tree, r.ids); session.changed(); navigate(treeUrl(tree)); } },
    });
  };
  return (
    <Dialog title={`Delete ${tree}?`} role="alertdialog" onClose={onClose}>
      <p>This deletes <strong>{count} {count === 1 ? 'memory' : 'memories'}</strong> at and below <code>{tree}</code>. They go to the trash, where you can restore them.</p>
      <div class="actions">
        <button type="button" onClick={onClose} data-autofocus>Cancel</button>
        <Action kind="danger" run={run} testid="confirm-delete">Delete {count}</Action>
      </div>
    </Dialog>
  );
}

/** Undo of a tree delete: by the ids it returned, or (more than restore takes at once) everything deleted there since it ran. */
async function restoreDeleted(rpc: ReturnType<typeof useMemoryRpc>, tree: string, ids: string[]) {
  if (ids.length <= 1000) return rpc('memory.restore', { ids });
  const newest = (await rpc('memory.trash', { tree, limit: 1 })).items[0];
  return rpc('memory.restore', { tree, since: newest?.deletedAt });
}
