import { useEffect, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { navigate } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { Action, ErrorBanner, Loading, Time } from '../ui.js';

type Item = OpOutput<'memory.trash'>['items'][number];

/** Deleted memories, newest first: restore one, the ones ticked, or everything deleted under the tree. */
export function TrashPage({ tree }: { tree: string }) {
  const rpc = useMemoryRpc();
  const session = useSession();
  const [items, setItems] = useState<Item[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const load = (cursor?: string) => rpc('memory.trash', { tree, cursor, limit: 50 }).then((r) => {
    setItems((i) => [...(cursor ? i ?? [] : []), ...r.items]);
    setNext(r.nextCursor);
  }, setError);
  useEffect(() => { setPicked(new Set()); void load(); }, [tree, session.revision]);
  const restore = async (params: Parameters<typeof rpc<'memory.restore'>>[1]) => {
    const r = await rpc('memory.restore', params);
    session.changed();
    session.toast({ text: `Restored ${r.count} ${r.count === 1 ? 'memory' : 'memories'}.` });
    if (r.count === 1) navigate(`/memory/${r.restored[0]!.id}`);
  };
  const toggle = (id: string) => setPicked((p) => { const n = new Set(p); n.has(id) ? n.delete(id) : n.add(id); return n; });
  return (
    <section aria-labelledby="trash-title">
      <div class="page-head">
        <h1 id="trash-title">Trash{tree !== '/' && ` under ${tree}`}</h1>
        <div class="actions">
          {picked.size > 0 && <Action kind="primary" testid="restore-picked" run={() => restore({ ids: [...picked] })}>Restore {picked.size} selected</Action>}
          {items && items.length > 0 && <Action testid="restore-all" run={() => restore({ tree })}>Restore everything deleted under {tree}</Action>}
        </div>
      </div>
      <ErrorBanner error={error} />
      {!items ? !error && <Loading /> : items.length === 0 ? <p class="muted" data-testid="empty">Nothing deleted{tree !== '/' && ` under ${tree}`}.</p> : (
        <ul class="trash" aria-label="Deleted memories">
          {items.map((t) => (
            <li key={t.id} data-testid="trash-item" data-id={t.id}>
              <label class="pick"><input type="checkbox" checked={picked.has(t.id)} onChange={() => toggle(t.id)} aria-label={`Select ${t.path}`} /></label>
              <div class="what">
                <span class="path">{t.path}</span>
                <span class="muted">deleted <Time at={t.deletedAt} /> by {t.deletedByName ?? 'someone outside the API'}</span>
                <span class="snippet">{t.snippet}</span>
              </div>
              <Action testid="restore" run={() => restore({ ids: [t.id] })}>Restore</Action>
            </li>
          ))}
        </ul>
      )}
      {next && <button type="button" onClick={() => load(next)}>Older deletions</button>}
    </section>
  );
}
