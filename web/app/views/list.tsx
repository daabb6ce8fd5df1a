import { useEffect, useRef, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { navigate, withSpace } from '../router.js';
import { arrowNav, ErrorBanner, Highlighted, Loading, Time } from '../ui.js';

type Page = OpOutput<'memory.search'>;
export type Hit = Page['results'][number];

/**
 * Search results or a tree's memories, page by page: Up/Down move between results, Enter opens.
 * `load` gets the cursor of the next page.
 */
export function MemoryList({ load, empty, query }: { load: (cursor?: string) => Promise<Page>; empty: string; query?: string }) {
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [mode, setMode] = useState<string | null>(null);
  const ref = useRef<HTMLOListElement>(null);
  const more = async (cursor?: string) => {
    try {
      const page = await load(cursor);
      setHits((h) => [...(cursor ? h ?? [] : []), ...page.results]);
      setNext(page.nextCursor);
      setMode(page.mode);
    } catch (e) { setError(e); }
  };
  useEffect(() => { void more(); }, []);
  if (error) return <ErrorBanner error={error} />;
  if (!hits) return <Loading />;
  if (!hits.length) return <p class="muted" data-testid="empty">{empty}</p>;
  return (
    <>
      <ol class="results" ref={ref} aria-label="Memories" data-mode={mode} onKeyDown={(e) => arrowNav(e, ref.current, 'a.hit')}>
        {hits.map((h) => (
          <li key={h.id}>
            <a class="hit" href={withSpace(`/memory/${h.id}`)} data-testid="hit" onClick={(e) => { e.preventDefault(); navigate(`/memory/${h.id}`); }}>
              <span class="path">{h.path}</span>
              {h.updatedAt && <span class="when"><Time at={h.updatedAt} /></span>}
              <span class="snippet"><Highlighted text={h.snippet} query={query} /></span>
            </a>
          </li>
        ))}
      </ol>
      {next && <button type="button" onClick={() => more(next)} data-testid="more">More</button>}
    </>
  );
}
