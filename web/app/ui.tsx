import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { RpcError } from '../lib/rpc.js';
import { withSpace } from './router.js';

// Small shared pieces: links, loading and error states, dialogs, times.

export const Link = ({ href, children, ...rest }: { href: string; children: ComponentChildren; class?: string; 'data-testid'?: string; title?: string }) => (
  <a href={withSpace(href)} {...rest}>{children}</a>
);

export const explain = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  return <div class="banner" role="alert" data-testid="error">{explain(error)}{error instanceof RpcError && error.code ? ` (${error.code})` : ''}</div>;
}

export const Loading = () => <p class="muted" aria-live="polite">Loading…</p>;

/** Loads with `fn` whenever `deps` change; gives the value, the error and a reload. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; reload: () => void; setData: (v: T) => void } {
  const [state, setState] = useState<{ data?: T; error?: unknown }>({});
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fn().then((data) => live && setState({ data }), (error) => live && setState({ error }));
    return () => { live = false; };
  }, [...deps, tick]);
  return { data: state.data, error: state.error, reload: () => setTick((t) => t + 1), setData: (data) => setState({ data }) };
}

export function Time({ at }: { at: string }) {
  const d = new Date(at);
  return <time dateTime={at} title={d.toISOString()}>{d.toLocaleString()}</time>;
}

/** A modal dialog: focus moves in, Escape cancels, focus returns where it was. */
export function Dialog({ title, children, onClose, role = 'dialog' }: { title: string; children: ComponentChildren; onClose: () => void; role?: 'dialog' | 'alertdialog' }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    (ref.current?.querySelector('[data-autofocus]') as HTMLElement | null ?? ref.current)?.focus();
    const key = (e: KeyboardEvent) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } };
    addEventListener('keydown', key, true);
    return () => { removeEventListener('keydown', key, true); before?.focus?.(); };
  }, []);
  return (
    <div class="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role={role} aria-modal="true" aria-labelledby="dialog-title" tabIndex={-1} ref={ref} data-testid="dialog">
        <h2 id="dialog-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** A button that shows it is busy and reports a failure next to itself. */
export function Action({ run, children, kind, testid, disabled }: { run: () => Promise<unknown> | void; children: ComponentChildren; kind?: 'primary' | 'danger'; testid?: string; disabled?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const click = async () => {
    setBusy(true); setError(null);
    try { await run(); } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return (
    <>
      <button type="button" class={kind} disabled={busy || disabled} onClick={click} data-testid={testid}>{children}</button>
      {error ? <ErrorBanner error={error} /> : null}
    </>
  );
}

/** Copies text, saying so. */
export function CopyButton({ text, testid }: { text: string; testid?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button type="button" data-testid={testid} onClick={() => navigator.clipboard.writeText(text).then(() => setDone(true), () => setDone(false))}>
      {done ? 'Copied' : 'Copy'}
    </button>
  );
}

/**
 * A snippet with the query's words marked. The server marks matches as **word**, which a memory's own
 * Markdown bold would garble, so the markers are dropped and the words of the query (with any
 * ending: deploy → deploys) are marked instead.
 */
export function Highlighted({ text, query }: { text: string; query?: string }) {
  const plain = text.replace(/\*\*/g, '');
  const words = (query ?? '').split(/\s+/).filter((t) => !t.startsWith('-')).join(' ').toLowerCase().match(/[\p{L}\p{N}_]+/gu)?.filter((w) => w !== 'or' && w.length > 1) ?? [];
  if (!words.length) return <>{plain}</>;
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const parts = plain.split(new RegExp(`((?<![\\p{L}\\p{N}_])(?:${escaped.join('|')})[\\p{L}\\p{N}_]*)`, 'giu'));
  return <>{parts.map((p, i) => (i % 2 ? <mark key={i}>{p}</mark> : p))}</>;
}

/** Moves focus among `selector` items inside `container` with the arrow keys. */
export function arrowNav(e: KeyboardEvent, container: HTMLElement | null, selector: string) {
  if (!container || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
  const items = [...container.querySelectorAll<HTMLElement>(selector)];
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next = items[e.key === 'ArrowDown' ? Math.min(items.length - 1, at + 1) : Math.max(0, at - 1)];
  if (next) { e.preventDefault(); next.focus(); }
}
