import type { OpInput } from '../../../contracts/index.js';
import { navigate } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { ErrorBanner } from '../ui.js';
import { MemoryList } from './list.js';

const modes = ['auto', 'keyword', 'semantic', 'hybrid'] as const;

/** The search input from the URL (?q, tree, meta, after, before, mode), or why it is not valid. */
function searchInput(p: URLSearchParams): { input?: Omit<OpInput<'memory.search'>, 'space'>; error?: string } {
  const input: Omit<OpInput<'memory.search'>, 'space'> = { limit: 20, fields: ['updatedAt'] };
  if (p.get('q')) input.query = p.get('q')!;
  if (p.get('tree')) input.tree = p.get('tree')!;
  const mode = p.get('mode');
  if (mode && (modes as readonly string[]).includes(mode)) input.mode = mode as (typeof modes)[number];
  if (p.get('meta')) {
    try { input.meta = JSON.parse(p.get('meta')!); } catch { return { error: 'Meta must be a JSON object, e.g. {"source": "slack"}' }; }
  }
  const after = p.get('after'), before = p.get('before');
  if (after || before) input.temporal = { ...(after ? { after: new Date(after).toISOString() } : {}), ...(before ? { before: new Date(before).toISOString() } : {}) };
  return { input };
}

export function SearchPage({ params }: { params: URLSearchParams }) {
  const rpc = useMemoryRpc();
  const { revision } = useSession();
  const { input, error } = searchInput(params);
  const apply = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const next = new URLSearchParams();
    for (const [k, v] of form) if (typeof v === 'string' && v.trim()) next.set(k, v.trim());
    navigate(`/search?${next}`);
  };
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">{params.get('q') ? `Results for “${params.get('q')}”` : 'Search'}</h1>
      <form class="filters" onSubmit={apply} key={params.toString()} aria-label="Search filters">
        <input type="hidden" name="q" value={params.get('q') ?? ''} />
        <label>Tree <input name="tree" defaultValue={params.get('tree') ?? ''} placeholder="/projects" data-testid="filter-tree" /></label>
        <label>Meta contains <input name="meta" defaultValue={params.get('meta') ?? ''} placeholder='{"source":"slack"}' /></label>
        <label>About, after <input name="after" type="date" defaultValue={params.get('after') ?? ''} /></label>
        <label>before <input name="before" type="date" defaultValue={params.get('before') ?? ''} /></label>
        <label>Mode
          <select name="mode" defaultValue={params.get('mode') ?? 'auto'}>{modes.map((m) => <option key={m} value={m}>{m}</option>)}</select>
        </label>
        <button type="submit">Apply</button>
      </form>
      {error ? <ErrorBanner error={new Error(error)} /> : (
        <MemoryList key={`${params.toString()}:${revision}`} load={(cursor) => rpc('memory.search', { ...input!, cursor })} query={input!.query} empty="No memories match." />
      )}
    </section>
  );
}
