import { useEffect, useRef, useState } from 'preact/hooks';
import type { OpOutput } from '../../../contracts/index.js';
import { Diff } from '../diff.js';
import { navigate } from '../router.js';
import { useMemoryRpc, useSession } from '../session.js';
import { Action, arrowNav, ErrorBanner, Link, Loading, Time } from '../ui.js';

type Event = OpOutput<'memory.history'>['events'][number];
const verb = { insert: 'created', update: 'changed', delete: 'deleted' } as const;

/** A memory's versions, newest first: pick one to see what it changed, and restore it. */
export function HistoryPage({ id }: { id: string }) {
  const rpc = useMemoryRpc();
  const session = useSession();
  const [events, setEvents] = useState<Event[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [at, setAt] = useState(0);
  const list = useRef<HTMLOListElement>(null);
  const load = (cursor?: string) => rpc('memory.history', { id, cursor, limit: 50 }).then((r) => {
    setEvents((e) => [...(cursor ? e ?? [] : []), ...r.events]);
    setNext(r.nextCursor);
  }, setError);
  useEffect(() => { void load(); }, [id, session.revision]);
  if (error) return <ErrorBanner error={error} />;
  if (!events) return <Loading />;
  const chosen = events[at];
  const before = events.slice(at + 1).find((e) => e.op !== 'delete');
  const current = events[0];
  return (
    <section aria-labelledby="history-title">
      <div class="page-head">
        <h1 id="history-title">History of {current?.snapshot.path}</h1>
        <div class="actions">{current?.op !== 'delete' && <Link href={`/memory/${id}`} class="button">Back to the memory</Link>}</div>
      </div>
      <div class="history">
        <ol class="versions" ref={list} aria-label="Versions" onKeyDown={(e) => arrowNav(e, list.current, 'button.version')}>
          {events.map((e, i) => (
            <li key={`${e.version}-${e.op}-${i}`}>
              <button type="button" class={`version${i === at ? ' current' : ''}`} aria-pressed={i === at} onClick={() => setAt(i)} data-testid="version">
                <strong>v{e.version}</strong> {verb[e.op]} by {e.actorName ?? 'someone outside the API'}<br />
                <span class="muted"><Time at={e.at} /> · {e.snapshot.path}</span>
              </button>
            </li>
          ))}
          {next && <li><button type="button" onClick={() => load(next)}>Older versions</button></li>}
        </ol>
        {chosen && (
          <div class="version-detail" data-testid="version-detail">
            <h2>Version {chosen.version}: {verb[chosen.op]} <Time at={chosen.at} /></h2>
            {chosen.op === 'delete'
              ? <p>Deleted from {chosen.snapshot.path}.</p>
              : <Diff from={before?.snapshot.content ?? ''} to={chosen.snapshot.content ?? ''} label={`What version ${chosen.version} changed`} />}
            {before && before.snapshot.path !== chosen.snapshot.path && <p>Moved from {before.snapshot.path} to {chosen.snapshot.path}.</p>}
            {chosen.op !== 'delete' && (at > 0 || current?.op === 'delete') && (
              <Action kind="primary" testid="revert" run={async () => {
                const m = await rpc('memory.revert', { id, version: chosen.version });
                session.changed();
                session.toast({ text: `Restored version ${chosen.version} as version ${m.version}.` });
                navigate(`/memory/${id}`);
              }}>Restore this version</Action>
            )}
          </div>
        )}
      </div>
    </section>
  );
}
