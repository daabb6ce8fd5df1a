import { useEffect, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { Markdown } from '../markdown.js';
import { navigate, treeUrl } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { Action, Dialog, ErrorBanner, Link, Loading, Time, useLoad } from '../ui.js';

export type Memory = OpOutput<'memory.get'>;

/** Typing a key (not in a field) runs `fn`. */
export function useKey(key: string, fn: () => void, deps: unknown[]) {
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key !== key || e.metaKey || e.ctrlKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || document.querySelector('[role="dialog"],[role="alertdialog"]')) return;
      e.preventDefault();
      fn();
    };
    addEventListener('keydown', h);
    return () => removeEventListener('keydown', h);
  }, deps);
}

export const titleOf = (m: { path: string; name: string | null; tree: string }) => (m.name ? m.path : `${m.tree === '/' ? '' : m.tree}/ (unnamed)`);

export function MemoryPage({ id }: { id: string }) {
  const rpc = useMemoryRpc();
  const { revision } = useSession();
  const memory = useLoad(() => rpc('memory.get', { id }), [id, revision]);
  const last = useLoad(() => rpc('memory.history', { id, limit: 1 }), [id, revision]);
  const [confirm, setConfirm] = useState(false);
  useKey('e', () => navigate(`/memory/${id}/edit`), [id]);
  useKey('Escape', () => memory.data && navigate(treeUrl(memory.data.tree)), [memory.data]);
  if (memory.error) return <ErrorBanner error={memory.error} />;
  const m = memory.data;
  if (!m) return <Loading />;
  const change = last.data?.events[0];
  return (
    <div class="memory">
      <div class="page-head">
        <h1 data-testid="memory-title">{titleOf(m)}</h1>
        <div class="actions">
          <Link href={`/memory/${id}/edit`} class="button primary" data-testid="edit" title="Edit (e)">Edit</Link>
          <Link href={`/memory/${id}/history`} class="button" data-testid="history">History</Link>
          <button type="button" class="danger" onClick={() => setConfirm(true)} data-testid="delete">Delete…</button>
        </div>
      </div>
      <div class="memory-body">
        <article aria-label="Memory content" data-testid="memory-content">
          <Markdown text={m.content} />
        </article>
        <aside class="meta-panel" aria-label="Details">
          <dl>
            <dt>Path</dt><dd><Link href={treeUrl(m.tree)}>{m.tree}</Link>{m.name && <>/<strong>{m.name}</strong></>}</dd>
            <dt>Version</dt><dd data-testid="version">{m.version}</dd>
            <dt>Changed</dt><dd><Time at={m.updatedAt} />{change && <> by <span data-testid="changed-by">{change.actorName ?? 'someone outside the API'}</span></>}</dd>
            <dt>Created</dt><dd><Time at={m.createdAt} /></dd>
            {m.temporal && <><dt>About</dt><dd><Time at={m.temporal.start} />{m.temporal.end && <> – <Time at={m.temporal.end} /></>}</dd></>}
            <dt>Meta</dt><dd>{Object.keys(m.meta).length ? <pre class="json" data-testid="meta">{JSON.stringify(m.meta, null, 2)}</pre> : <span class="muted">none</span>}</dd>
            <dt>Id</dt><dd><code class="id">{m.id}</code></dd>
          </dl>
        </aside>
      </div>
      {confirm && <DeleteDialog memory={m} onClose={() => setConfirm(false)} />}
    </div>
  );
}

function DeleteDialog({ memory, onClose }: { memory: Memory; onClose: () => void }) {
  const rpc = useMemoryRpc();
  const session = useSession();
  const run = async () => {
    await rpc('memory.delete', { id: memory.id });
    onClose();
    session.changed();
    navigate(treeUrl(memory.tree));
    session.toast({
      text: `Deleted ${titleOf(memory)}.`,
      action: { label: 'Undo', run: async () => { await rpc('memory.restore', { ids: [memory.id] }); session.changed(); navigate(`/memory/${memory.id}`); } },
    });
  };
  return (
    <Dialog title="Delete this memory?" role="alertdialog" onClose={onClose}>
      <p>This deletes <strong>{titleOf(memory)}</strong> (version {memory.version}). It goes to the trash, where you can restore it.</p>
      <div class="actions">
        <button type="button" onClick={onClose} data-autofocus>Cancel</button>
        <Action kind="danger" run={run} testid="confirm-delete">Delete</Action>
      </div>
    </Dialog>
  );
}
