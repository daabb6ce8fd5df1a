import { useEffect, useState } from 'preact/hooks';
import type { OpInput } from '../../../contracts/index.js';
import { RpcError } from '../../lib/rpc.js';
import { Diff } from '../diff.js';
import { navigate, treeUrl } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { Dialog, ErrorBanner, Loading, useLoad } from '../ui.js';
import { titleOf, type Memory } from './memory.js';

interface Draft { content: string; tree: string; name: string; meta: string; start: string; end: string }

const draftOf = (m: Memory): Draft => ({
  content: m.content, tree: m.tree, name: m.name ?? '', meta: Object.keys(m.meta).length ? JSON.stringify(m.meta, null, 2) : '',
  start: m.temporal?.start ?? '', end: m.temporal?.end ?? '',
});
const blank = (tree: string): Draft => ({ content: '', tree, name: '', meta: '', start: '', end: '' });
const same = (a: Draft, b: Draft) => (Object.keys(a) as (keyof Draft)[]).every((k) => a[k] === b[k]);

/** The fields of a draft as operation input (meta parsed; an empty time clears it). */
function fields(d: Draft) {
  let meta: Record<string, unknown> = {};
  if (d.meta.trim()) {
    try { meta = JSON.parse(d.meta); } catch { throw new Error('Meta must be a JSON object, e.g. {"source": "notes"}'); }
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) throw new Error('Meta must be a JSON object, e.g. {"source": "notes"}');
  }
  return {
    content: d.content, tree: d.tree || '/', name: d.name.trim() || null, meta,
    temporal: d.start.trim() ? { start: d.start.trim(), end: d.end.trim() || null } : null,
  };
}

/** Edit a memory (`id`), or create one in `tree`. Saving passes the version it started from. */
export function EditPage({ id, tree }: { id?: string; tree?: string }) {
  const rpc = useMemoryRpc();
  const loaded = useLoad(() => (id ? rpc('memory.get', { id }) : Promise.resolve(null)), [id]);
  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (loaded.data === undefined) return <Loading />;
  return <Editor key={id ?? 'new'} base={loaded.data} tree={tree ?? '/'} />;
}

function Editor({ base: initial, tree }: { base: Memory | null; tree: string }) {
  const rpc = useMemoryRpc();
  const session = useSession();
  const [base, setBase] = useState(initial);
  const start = initial ? draftOf(initial) : blank(tree);
  const [draft, setDraft] = useState<Draft>(start);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Memory | null>(null);
  const [leaving, setLeaving] = useState(false);
  const set = (k: keyof Draft) => (e: Event) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value });
  const back = () => navigate(base ? `/memory/${base.id}` : treeUrl(tree));

  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[role="dialog"],[role="alertdialog"]')) {
        e.preventDefault();
        same(draft, base ? draftOf(base) : start) ? back() : setLeaving(true);
      }
      if (e.key === 's' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void save(); }
    };
    addEventListener('keydown', h);
    return () => removeEventListener('keydown', h);
  });

  const save = async (version = base?.version) => {
    setBusy(true); setError(null);
    try {
      const f = fields(draft);
      if (!base) {
        const made = await rpc('memory.create', { ...f, name: f.name ?? undefined });
        session.changed();
        navigate(`/memory/${made.id}`);
        return;
      }
      const params: Omit<OpInput<'memory.update'>, 'space'> = { id: base.id, version: version! };
      const was = draftOf(base);
      if (draft.content !== was.content) params.content = f.content;
      if (draft.tree !== was.tree) params.tree = f.tree;
      if (draft.name !== was.name) params.name = f.name;
      if (draft.meta !== was.meta) params.meta = f.meta;
      if (draft.start !== was.start || draft.end !== was.end) params.temporal = f.temporal;
      await rpc('memory.update', params);
      session.changed();
      navigate(`/memory/${base.id}`);
    } catch (e) {
      if (base && e instanceof RpcError && e.code === 'CONFLICT' && e.data.currentVersion !== undefined) {
        setConflict(await rpc('memory.get', { id: base.id }));
      } else setError(e);
    } finally { setBusy(false); }
  };

  return (
    <form class="editor" onSubmit={(e) => { e.preventDefault(); void save(); }} aria-labelledby="editor-title">
      <div class="page-head">
        <h1 id="editor-title">{base ? `Edit ${titleOf(base)}` : 'New memory'}</h1>
        <div class="actions">
          <button type="button" onClick={back}>Cancel</button>
          <button type="submit" class="primary" disabled={busy} data-testid="save">{busy ? 'Saving…' : base ? `Save (version ${base.version} → ${base.version + 1})` : 'Create'}</button>
        </div>
      </div>
      <ErrorBanner error={error} />
      {conflict && base && (
        <section class="conflict" role="alert" data-testid="conflict">
          <h2>Someone changed this memory while you were editing</h2>
          <p>You started from version {base.version}; it is now at version {conflict.version}. Your text is still here, unsaved. Their change to the content:</p>
          <Diff from={base.content} to={conflict.content} label="Their change" />
          <p>Your change against theirs:</p>
          <Diff from={conflict.content} to={draft.content} label="Your change" />
          <div class="actions">
            <button type="button" data-testid="conflict-reload" onClick={() => { setBase(conflict); setDraft(draftOf(conflict)); setConflict(null); }}>Load theirs (discard mine)</button>
            <button type="button" class="danger" data-testid="conflict-overwrite" onClick={() => { const v = conflict.version; setBase(conflict); setConflict(null); void save(v); }}>Save mine over theirs</button>
          </div>
        </section>
      )}
      <div class="grid2">
        <label>Tree <input name="tree" value={draft.tree} onInput={set('tree')} placeholder="/projects/alpha" data-testid="field-tree" /></label>
        <label>Name (optional) <input name="name" value={draft.name} onInput={set('name')} placeholder="decisions" data-testid="field-name" /></label>
      </div>
      <label>Content (Markdown)
        <textarea name="content" rows={16} value={draft.content} onInput={set('content')} required data-testid="field-content" autoFocus />
      </label>
      <label>Meta (JSON object)
        <textarea name="meta" rows={3} value={draft.meta} onInput={set('meta')} placeholder='{"source": "notes"}' data-testid="field-meta" />
      </label>
      <div class="grid2">
        <label>About, from (ISO time) <input name="start" value={draft.start} onInput={set('start')} placeholder="2025-03-01T12:00:00Z" /></label>
        <label>until (optional) <input name="end" value={draft.end} onInput={set('end')} placeholder="2025-03-02T00:00:00Z" /></label>
      </div>
      {leaving && (
        <Dialog title="Discard your changes?" onClose={() => setLeaving(false)}>
          <div class="actions">
            <button type="button" onClick={() => setLeaving(false)} data-autofocus>Keep editing</button>
            <button type="button" class="danger" onClick={back}>Discard</button>
          </div>
        </Dialog>
      )}
    </form>
  );
}
