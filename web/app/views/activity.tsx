import { useEffect, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { treeUrl } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { ErrorBanner, Link, Loading, Time } from '../ui.js';

type Event = OpOutput<'memory.history'>['events'][number];
const verb = { insert: 'created', update: 'changed', delete: 'deleted' } as const;

/** Every change under a tree, newest first, with who made it. */
export function ActivityPage({ tree }: { tree: string }) {
  const rpc = useMemoryRpc();
  const { revision } = useSession();
  const [events, setEvents] = useState<Event[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = (cursor?: string) => rpc('memory.history', { tree, cursor, limit: 50 }).then((r) => {
    setEvents((e) => [...(cursor ? e ?? [] : []), ...r.events]);
    setNext(r.nextCursor);
  }, setError);
  useEffect(() => { void load(); }, [tree, revision]);
  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activity under <Link href={treeUrl(tree)}>{tree}</Link></h1>
      <ErrorBanner error={error} />
      {!events ? !error && <Loading /> : events.length === 0 ? <p class="muted">No changes yet.</p> : (
        <ol class="feed" aria-label="Changes">
          {events.map((e, i) => (
            <li key={i} data-testid="event">
              <span class={`op op-${e.op}`}>{verb[e.op]}</span>{' '}
              {e.op === 'delete' ? <span class="path">{e.snapshot.path}</span> : <Link href={`/memory/${e.memoryId}`} class="path">{e.snapshot.path}</Link>}
              {' '}<span class="muted">v{e.version} · {e.actorName ?? 'someone outside the API'} · <Time at={e.at} /></span>
              {e.snapshot.snippet && <div class="snippet">{e.snapshot.snippet}</div>}
            </li>
          ))}
        </ol>
      )}
      {next && <button type="button" onClick={() => load(next)}>Older changes</button>}
    </section>
  );
}
